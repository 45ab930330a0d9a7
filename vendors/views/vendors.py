"""The vendor list and the vendor page with its panels (status, risk, contacts, downtime
exclusions). Every write is a small form posting with htmx (see ``contracts.py``).
"""

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import registry, web_forms
from core.transitions import allowed_transitions

from .. import services
from ..filters import VendorFilter, filter_widgets
from ..forms import ContactForm, ExclusionForm, ReasonForm, RiskForm, VendorForm
from ..models import DowntimeExclusion, Vendor, VendorAttribution, VendorContact
from ..selectors import (
    OPEN_ESCALATION_STATES,
    OPEN_INCIDENT_STATES,
    contracts_for_list,
    next_dates_by_vendor,
    vendor_downtime_year,
    vendors_for_list,
)
from .common import PAGE_SIZE, _ordering, _sort_columns, vendor_reader

# --- The vendor list ---------------------------------------------------------------------

VENDOR_SORTS = {"name": [F("name")], "category": [F("category"), F("name")],
                "status": [F("status"), F("name")], "risk": [F("risk_rating"), F("name")]}
VENDOR_COLUMNS = [("name", "Vendor"), ("category", "Category"), ("status", "Status"),
                  ("risk", "Risk")]


@vendor_reader
def vendor_list(request):
    """Vendors with their running contracts, next date and open work, 50 a page, in a
    fixed number of queries."""
    filterset = VendorFilter(request.GET, queryset=vendors_for_list())
    form = filter_widgets(filterset)
    sort, ordering = _ordering(request.GET.get("sort", "name"), VENDOR_SORTS, "name")
    queryset = filterset.qs if filterset.is_valid() else vendors_for_list()
    page = Paginator(queryset.order_by(*ordering, "pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = list(page.object_list)
    page.object_list = rows
    today = timezone.localdate()
    nearest = next_dates_by_vendor([v.pk for v in rows], today)
    for vendor in rows:
        vendor.next_contract = nearest.get(vendor.pk)
    filtered = any(form.cleaned_data.get(name) for name in form.fields) if form.is_bound \
        and form.is_valid() else False
    return render(request, "vendors/vendor_list.html", {
        "form": form, "page": page, "vendors": rows, "sort": sort, "filtered": filtered,
        "columns": _sort_columns(VENDOR_COLUMNS, sort, "name"), "today": today,
    })


def _vendor_form_page(request, form, vendor=None, status=200):
    return render(request, "vendors/vendor_form.html", {"form": form, "vendor": vendor},
                  status=status)


@vendor_reader
@permission_required("vendors.add_vendor", raise_exception=True)
def vendor_create(request):
    form = VendorForm(request.POST or None, people=web_forms.people(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                vendor = services.vendor_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(web_forms.validation_errors(exc))
            else:
                messages.success(request, f"{vendor.name} added.")
                return redirect(vendor)
        return _vendor_form_page(request, form, status=400)
    return _vendor_form_page(request, form)


@vendor_reader
def vendor_edit(request, pk):
    vendor = get_object_or_404(Vendor, pk=pk)
    if not request.user.has_perm("vendors.manage_vendor", vendor):
        raise PermissionDenied("Your role cannot change vendors.")
    if request.method == "POST":
        form = VendorForm(request.POST, people=web_forms.people(request))
        if form.is_valid():
            try:
                services.vendor_update(vendor=vendor, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(web_forms.validation_errors(exc))
            else:
                messages.success(request, f"{vendor.name} saved.")
                return redirect(vendor)
        return _vendor_form_page(request, form, vendor, status=400)
    form = VendorForm(initial=VendorForm.values_of(vendor), people=web_forms.people(request))
    return _vendor_form_page(request, form, vendor)


# --- The vendor page ------------------------------------------------------------------------

VENDOR_STEPS = {"activate": ("Mark active", "secondary"),
                "offboard": ("Start offboarding", "secondary outline"),
                "reactivate": ("Active again", "secondary outline"),
                "exit": ("Mark exited", "secondary outline")}
VENDOR_LABELS = {name: label for name, (label, _) in VENDOR_STEPS.items()}


def _vendor_context(request, vendor, overrides):
    user = request.user
    forms = web_forms.PageForms(web_forms.people(request), overrides)
    today = timezone.localdate()
    now = timezone.now()
    contacts = list(vendor.contacts.all())
    contracts = list(contracts_for_list(vendor.contracts.all(), today=today)
                     .order_by("finished", "next_date", "pk"))
    attributions = list(VendorAttribution.objects.filter(vendor=vendor)
                        .select_related("incident__severity", "escalation", "contract")
                        .order_by("-added_at", "-pk"))
    open_incidents = [a for a in attributions
                      if a.incident_id and a.incident.state in OPEN_INCIDENT_STATES]
    open_escalations = [a for a in attributions
                        if a.escalation_id and a.escalation.state in OPEN_ESCALATION_STATES]
    downtime = vendor_downtime_year(vendor, now=now)
    this_month = datetime(now.astimezone(UTC).year, now.astimezone(UTC).month, 1, tzinfo=UTC)
    months = [{"month": month, "minutes": round(seconds / 60)}
              for month, seconds in sorted(downtime.months.items())]
    peak = max((m["minutes"] for m in months), default=0) or 1
    for month in months:
        month["share"] = round(100 * month["minutes"] / peak)
    incidents = sorted({a.incident.pk: a.incident for a in attributions if a.incident_id}
                       .values(), key=lambda i: i.declared_at, reverse=True)
    can_manage = user.has_perm("vendors.manage_vendor", vendor)
    steps = [{"name": name, "label": VENDOR_STEPS[name][0], "style": VENDOR_STEPS[name][1],
              "form": forms(f"status-{name}", ReasonForm)}
             for name in VENDOR_STEPS if name in set(allowed_transitions(vendor, user))]
    context = {
        "vendor": vendor, "contacts": contacts, "contracts": contracts, "today": today,
        "open_incidents": open_incidents, "open_escalations": open_escalations,
        "downtime": downtime, "months": months,
        "month_minutes": downtime.month_minutes(this_month),
        "can_manage": can_manage, "steps": steps,
        "can_tag": user.has_perm("vendors.tag_exclusion"),
        "can_add_contract": user.has_perm("vendors.add_contract"),
        "risk_form": forms("risk", RiskForm, rating=vendor.risk_rating,
                           reason=vendor.risk_reason),
        "contact_form": forms("contact-new", ContactForm),
        "contact_forms": {c.pk: forms(f"contact-{c.pk}", ContactForm, **{
            name: getattr(c, name) for name in ("name", "role", "phone", "email", "hours",
                                                "escalation_order", "notes")})
            for c in contacts} if can_manage else {},
        "exclusion_form": forms("exclusion", ExclusionForm,
                                form_kwargs={"incidents": incidents}),
        "delete_form": forms("delete", ReasonForm),
    }
    for contact in contacts:
        contact.form = context["contact_forms"].get(contact.pk)
    context["panels"] = registry.panels_for(request, vendor, forms)
    context["refusals"] = forms.orphan_errors()
    return context


def _render_vendor(request, pk, *, overrides=None, status=200, panel=None):
    vendor = get_object_or_404(Vendor.objects.select_related("account_manager",
                                                             "risk_reviewed_by"), pk=pk)
    return web_forms.render_page_or_panel(
        request, _vendor_context(request, vendor, overrides or {}),
        page_template="vendors/vendor_detail.html", panel_template="vendors/_vendor_panel.html",
        status=status, panel=panel)


@vendor_reader
def vendor_detail(request, pk):
    """Contacts, contracts with their next dates, open work attributed, downtime this
    month and this year, and the cards other apps add."""
    return _render_vendor(request, pk, panel=False)


def _submit_vendor(request, vendor, form, *, key, run, done, anchor=""):
    return web_forms.submit(request, vendor, form, key=key, run=run, done=done,
                            anchor=anchor, labels=VENDOR_LABELS, render=_render_vendor)


@require_POST
@vendor_reader
def vendor_status(request, pk, name):
    if name not in VENDOR_STEPS:
        raise Http404("No such status change.")
    vendor = get_object_or_404(Vendor, pk=pk)
    key = f"status-{name}"
    return _submit_vendor(
        request, vendor, web_forms.bind(request, ReasonForm, key), key=key,
        run=lambda data: services.vendor_transition(vendor=vendor, by=request.user, name=name,
                                                    reason=data["reason"]),
        done=VENDOR_LABELS[name].lower())


@require_POST
@vendor_reader
def vendor_risk(request, pk):
    vendor = get_object_or_404(Vendor, pk=pk)
    return _submit_vendor(
        request, vendor, web_forms.bind(request, RiskForm, "risk"), key="risk",
        run=lambda data: services.vendor_review_risk(
            vendor=vendor, by=request.user, rating=data["rating"], reason=data["reason"],
            reviewed_on=data["reviewed_on"]),
        done="risk reviewed", anchor="#risk")


@require_POST
@vendor_reader
def contact_save(request, pk, contact_pk=None):
    vendor = get_object_or_404(Vendor, pk=pk)
    contact = get_object_or_404(VendorContact, pk=contact_pk, vendor=vendor) \
        if contact_pk else None
    key = f"contact-{contact_pk}" if contact else "contact-new"
    return _submit_vendor(
        request, vendor, web_forms.bind(request, ContactForm, key), key=key,
        run=lambda data: services.contact_save(vendor=vendor, by=request.user, contact=contact,
                                               **data),
        done="contact saved" if contact else "contact added", anchor="#contacts")


@require_POST
@vendor_reader
def contact_delete(request, pk, contact_pk):
    vendor = get_object_or_404(Vendor, pk=pk)
    contact = get_object_or_404(VendorContact, pk=contact_pk, vendor=vendor)
    return _submit_vendor(
        request, vendor, web_forms.bind(request, ReasonForm, "delete"), key="delete",
        run=lambda data: services.contact_delete(contact=contact, by=request.user),
        done=f"contact {contact.name} removed", anchor="#contacts")


@require_POST
@vendor_reader
def exclusion_add(request, pk):
    vendor = get_object_or_404(Vendor, pk=pk)
    incidents = [a.incident for a in VendorAttribution.objects.filter(
        vendor=vendor, incident__isnull=False).select_related("incident")]
    form = ExclusionForm(request.POST, auto_id="exclusion-%s", incidents=incidents,
                         people=web_forms.people(request))
    return _submit_vendor(
        request, vendor, form, key="exclusion",
        run=lambda data: services.exclusion_add(vendor=vendor, by=request.user, **data),
        done="downtime window excluded", anchor="#downtime")


@require_POST
@vendor_reader
def exclusion_delete(request, pk, exclusion_pk):
    vendor = get_object_or_404(Vendor, pk=pk)
    exclusion = get_object_or_404(DowntimeExclusion, pk=exclusion_pk, vendor=vendor)
    return _submit_vendor(
        request, vendor, web_forms.bind(request, ReasonForm, "delete"), key="delete",
        run=lambda data: services.exclusion_remove(exclusion=exclusion, by=request.user),
        done="exclusion removed", anchor="#downtime")
