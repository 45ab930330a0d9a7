"""The escalation queue and the opening form."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import redirect, render

from core import registry, web_forms
from core.clocks import active_clocks_by_owner
from core.pagination import EstimatedCountPaginator
from core.search import text_filter

from .. import services
from ..forms import EscalationCreateForm
from ..models import Escalation
from ..search import escalation_search_fields
from ..selectors import escalation_list as select_escalations
from ..visibility import can_see_personal_data
from ._access import escalation_reader

ESCALATION_PAGE_SIZE = 50
# The filters the queue page draws (the others, e.g. ``created_after``, work in its
# address all the same: one FilterSet, escalations/filters.py).
PAGE_FILTERS = ("search", "state", "category", "priority", "tier", "channel", "customer_tier",
                "owner", "breached", "regulatory", "mine")


def _people_choices(request):
    return [("", "Anyone"), *((str(user.pk), user.get_full_name() or user.username)
                              for user in web_forms.people(request))]


@escalation_reader
def escalation_list(request):
    """The queue: open escalations, most urgent SLA first (the earliest running clock
    due first; those without a running clock last), filters (state, category,
    priority, tier, customer tier, owner, breached, under a regulator, mine…), 50 a
    page. Invalid filters are shown with their error and left out.

    The query count does not grow with the page: escalations with their customer and
    owner (1), the paginator's count (1), every clock on the page (1), their calendars (1)
    and the calendars' hours and holidays (2).
    """
    filterset = select_escalations(
        filters=request.GET, user=request.user, open_by_default=True,
        queryset=Escalation.objects.select_related("customer", "owner", "regulatory_regime"))
    form = filterset.form
    # Text search, the same fields as the API's ?search= and the global search.
    form.fields = {"search": forms.CharField(
        required=False, label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder":
                                      "Reference, summary, account"})), **form.fields}
    form.fields["owner"].widget = _owner_select(request)
    # sla_due_at is kept by the clocks (Escalation.refresh_sla_due_at) and indexed for
    # the open queue: ordering by a subquery cost one per open escalation.
    escalations = text_filter(filterset.qs, request.GET.get("search"),
                              escalation_search_fields(request.user))
    escalations = escalations.order_by(F("sla_due_at").asc(nulls_last=True), "pk")

    page = EstimatedCountPaginator(escalations, ESCALATION_PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = list(page.object_list)
    page.object_list = rows
    clocks = active_clocks_by_owner(Escalation, [escalation.pk for escalation in rows])
    for escalation in rows:
        escalation.active_clocks = clocks.get(escalation.pk, [])
    extra_columns = registry.list_columns_for(request, Escalation, rows)
    cleaned = getattr(form, "cleaned_data", {})
    return render(request, "escalations/escalation_list.html", {
        "form": form, "fields": web_forms.filter_bar(form, PAGE_FILTERS),
        "page": page, "escalations": rows, "extra_columns": extra_columns,
        # The search box is not a filter of the filterset (text_filter applies it).
        "filtered": (any(cleaned.get(name) for name in form.fields)
                     or bool(request.GET.get("search", "").strip())),
        "show_personal": can_see_personal_data(request.user),
        # Asked once for the page, not once a row through the template's perms.
        "link_customers": request.user.has_perm("escalations.view_customer"),
    })


def _owner_select(request):
    return forms.Select(choices=_people_choices(request))


@escalation_reader
@permission_required("escalations.add_escalation", raise_exception=True)
def escalation_create(request):
    """Open an escalation: the service gives the reference and starts the clocks."""
    if request.method == "POST":
        form = EscalationCreateForm(request.POST, people=web_forms.people(request))
        if form.is_valid():
            try:
                escalation = services.escalation_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(web_forms.validation_errors(exc))
            else:
                messages.success(request, f"{escalation.reference} opened.")
                return redirect(escalation)
        return render(request, "escalations/escalation_create.html", {"form": form},
                      status=400)
    form = EscalationCreateForm(people=web_forms.people(request))
    return render(request, "escalations/escalation_create.html", {"form": form})
