"""The incident list: filters (the FilterSet the API uses too), sorting, pages."""

import copy

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Value, When
from django.shortcuts import render

from core import registry, web_forms
from core.clocks import active_clocks_by_owner
from core.forms import DATE_WIDGET, person_label
from core.pagination import EstimatedCountPaginator
from core.presentation import chip_colour
from core.search import text_filter

from .. import selectors
from ..choices import IncidentState
from ..filters import STATE_CHOICES, page_aliases
from ..models import Channel, Incident, Severity
from ..search import SEARCH_FIELDS
from .common import reader

User = get_user_model()
PAGE_SIZE = 50


STATE_ORDER = Case(
    *(When(state=state, then=Value(index)) for index, state in enumerate(IncidentState.values)),
    output_field=IntegerField(),
)
# ?sort=<key> ascending, ?sort=-<key> descending; ties newest first.
SORTS = {
    "declared": (F("declared_at"),),
    "severity": (F("severity__rank"),),
    "state": (STATE_ORDER,),
}
DEFAULT_SORT = "-declared"
SORT_COLUMNS = [("declared", "Declared"), ("severity", "Severity"), ("state", "State")]


def _ordering(sort):
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key == "declared":
        # Never NULL: plain ASC/DESC, so the newest-first default reads
        # incident_declared_idx in order instead of sorting every incident.
        return ["-declared_at", "-pk"] if descending else ["declared_at", "-pk"]
    return [
        *(e.desc(nulls_last=True) if descending else e.asc(nulls_last=True) for e in SORTS[key]),
        "-declared_at", "-pk",
    ]


def _commanders():
    # EXISTS per user (the commander foreign key's index), not a DISTINCT over a join
    # with every incident.
    return list(
        User.objects.filter(Exists(Incident.objects.filter(commander=OuterRef("pk"))))
        .order_by("first_name", "last_name", "username")
    )


class _OneOfMany(forms.Select):
    """One choice picked on the page, read as the list a repeatable filter takes."""

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)


def _page_form(filterset):
    """The FilterSet's form, drawn for people: selects with an "any" choice, date
    pickers, and the commanders to choose from."""
    form = filterset.form
    fields = form.fields
    fields["state"].widget = _OneOfMany(choices=[("", "Any state"), *STATE_CHOICES])
    # A select of the real keys: another key is shown as an error and left out.
    fields["severity"] = forms.ModelChoiceField(
        Severity.objects.all(), to_field_name="key", required=False, empty_label="Any severity")
    fields["channel"] = forms.ModelChoiceField(
        Channel.objects.all(), to_field_name="key", required=False, empty_label="Any channel")
    fields["commander"].widget = forms.Select(choices=[
        ("", "Anyone"), *((user.pk, person_label(user)) for user in _commanders())])
    for name in ("declared_after", "declared_before"):
        fields[name].widget = copy.deepcopy(DATE_WIDGET)
    # Validated before the search box joins the form: the FilterSet filters by every
    # cleaned field, and "search" is not one of its filters (text_filter applies it).
    form.is_valid()
    # Text search, the same fields as the API's ?search= and the global search.
    form.fields = {"search": forms.CharField(
        required=False, label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Reference or title"})),
        **fields}
    web_forms.filter_bar(form)
    return form


@reader
def incident_list(request):
    """Filters (GET), sortable columns, 50 a page, running clocks as badges.

    The filters are the API's (``incidents.filters.IncidentFilter`` through the
    ``incident_list`` selector), with the same parameter names; an invalid filter is
    shown with its error and left out.

    The query count does not grow with the page: incidents with their severity and
    commander (1), their channels (1), every clock on the page (1), their calendars (1)
    and the calendars' hours and holidays (2), plus the paginator's count.
    """
    filterset = selectors.incident_list(
        filters=page_aliases(request.GET), user=request.user,
        queryset=Incident.objects.select_related("severity", "commander")
        .prefetch_related("channels"))
    form = _page_form(filterset)
    # The text search is the page's, not a filter of the FilterSet (the API has
    # DRF's ?search= on the same fields): taken out before the filters run.
    form.is_valid()
    # The form was cleaned before the search box joined it (see _page_form): the box's
    # text is read from the query string, cleaned by the box's own field.
    search = form.fields["search"].clean(request.GET.get("search", "")).strip()
    incidents = text_filter(filterset.qs, search, SEARCH_FIELDS)
    filters = {**form.cleaned_data, "search": search}

    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort.lstrip("-") not in SORTS:
        sort = DEFAULT_SORT
    page = EstimatedCountPaginator(incidents.order_by(*_ordering(sort)), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = list(page.object_list)
    page.object_list = rows
    clocks = active_clocks_by_owner(Incident, [incident.pk for incident in rows])
    for incident in rows:
        incident.active_clocks = clocks.get(incident.pk, [])
        incident.chip_colour = chip_colour(incident.severity)
    extra_columns = registry.list_columns_for(request, Incident, rows)

    columns = {}
    for key, label in SORT_COLUMNS:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        columns[key] = {
            "label": label, "current": current,
            "aria_sort": ("descending" if descending else "ascending") if current else "",
            # A first click on severity shows SEV1 first; on the date, newest first.
            "next": (key if descending else f"-{key}") if current
            else (f"-{key}" if key == "declared" else key),
        }
    filtered = any(filters.get(name) for name in form.fields)
    return render(request, "incidents/incident_list.html", {
        "form": form, "page": page, "incidents": rows, "columns": columns, "sort": sort,
        "filtered": filtered, "extra_columns": extra_columns,
    })
