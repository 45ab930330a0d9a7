"""Vendor and contract pages, and the vendor cards on incident and escalation pages.

Views parse, call a service in ``vendors/services.py`` and render. Like the incident
page, every write on a vendor or contract page is a small form that posts with htmx
and gets the page's panel back (refusals with their real status: 400, 403, 409), or
works as an ordinary POST without JavaScript (``core.web_forms.submit``).
"""

import csv
from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core import registry, web_forms, work_items
from core.transitions import allowed_transitions
from core.validation import parse_id

from .. import services
from ..choices import (
    LIVE_CONTRACT_STATES,
    RENEWABLE_STATES,
    ContractState,
    DeadlineKind,
    DeadlineOutcome,
)
from ..filters import ContractFilter, VendorFilter, filter_widgets
from ..forms import (
    AttributionForm,
    ContactForm,
    ContractForm,
    DecisionForm,
    DocumentForm,
    ExclusionForm,
    FeeLineFormSet,
    NoticeForm,
    ReasonForm,
    RenewForm,
    RiskForm,
    TerminateForm,
    VendorForm,
    fee_lines_from,
)
from ..models import (
    Contract,
    ContractDocument,
    DowntimeExclusion,
    Vendor,
    VendorAttribution,
    VendorContact,
)
from ..selectors import (
    OPEN_ESCALATION_STATES,
    OPEN_INCIDENT_STATES,
    attributions_for,
    contracts_for_list,
    contracts_needing_attention,
    next_dates_by_vendor,
    vendor_downtime_year,
    vendors_for_list,
)
from ..visibility import can_see_money

PAGE_SIZE = 50


vendor_reader = web_forms.page_reader("vendors.view_vendor")
contract_reader = web_forms.page_reader("vendors.view_contract")


def _sort_columns(columns, sort, default):
    """Header links for sortable columns: ``{key: {label, current, aria_sort, next}}``."""
    result = {}
    for key, label in columns:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        result[key] = {"label": label, "current": current,
                       "aria_sort": ("descending" if descending else "ascending") if current
                       else "", "next": (key if descending else f"-{key}") if current else key}
    return result


def _ordering(sort, sorts, default):
    if sort.lstrip("-") not in sorts:
        sort = default
    key, descending = sort.lstrip("-"), sort.startswith("-")
    return sort, [e.desc(nulls_last=True) if descending else e.asc(nulls_last=True)
                  for e in sorts[key]]


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


# --- The contract list ---------------------------------------------------------------------

CONTRACT_SORTS = {
    "next": [F("finished"), F("next_date")],
    "notice": [F("notice_date")],
    "end": [F("end_date")],
    "vendor": [F("vendor__name"), F("next_date")],
    "reference": [F("reference")],
    "state": [F("state"), F("next_date")],
}
CONTRACT_COLUMNS = [("reference", "Contract"), ("vendor", "Vendor"), ("state", "State"),
                    ("next", "Next date"), ("notice", "Notice date"), ("end", "Ends")]


def _filtered_contracts(request):
    today = timezone.localdate()
    filterset = ContractFilter(request.GET or None,
                               queryset=contracts_for_list(today=today))
    form = filter_widgets(filterset)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() \
        else contracts_for_list(today=today)
    sort, ordering = _ordering(request.GET.get("sort", "next"), CONTRACT_SORTS, "next")
    filtered = filterset.is_bound and form.is_valid() and any(
        form.cleaned_data.get(name) for name in form.fields)
    return form, queryset.order_by(*ordering, "pk"), sort, filtered, today


@contract_reader
def contract_list(request):
    """Every contract, by the next date that matters; filters for vendor, category,
    state, notice window and owner; CSV export of the same selection."""
    form, queryset, sort, filtered, today = _filtered_contracts(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    page.object_list = rows
    for contract in rows:
        contract.days_to_next = (contract.next_date - today).days
    return render(request, "vendors/contract_list.html", {
        "form": form, "page": page, "contracts": rows, "sort": sort, "filtered": filtered,
        "columns": _sort_columns(CONTRACT_COLUMNS, sort, "next"), "today": today,
        "show_money": can_see_money(request.user),
        "attention": contracts_needing_attention(today) if not filtered else None,
        "export_query": request.GET.urlencode(),
    })


class _Echo:
    """A file-like object whose write returns the line (for a streamed CSV)."""

    def write(self, value):
        return value


def _csv_safe(value):
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@contract_reader
def contract_export(request):
    """The filtered contracts as CSV (money columns only for roles that see money)."""
    _, queryset, _, _, today = _filtered_contracts(request)
    money = can_see_money(request.user)
    header = ["reference", "vendor", "category", "title", "state", "start_date", "end_date",
              "notice_date", "next_date", "renewal_type", "renewal_term_months",
              "notice_period", "notice_unit", "decision", "owner"]
    if money:
        header += ["value", "billing_period", "currency"]

    def rows():
        yield header
        for c in queryset.iterator(chunk_size=500):
            row = [c.reference, c.vendor.name, c.vendor.get_category_display(), c.title,
                   c.get_state_display(), c.start_date, c.end_date, c.notice_date,
                   c.next_date, c.get_renewal_type_display(), c.renewal_term_months,
                   c.notice_period, c.notice_unit, c.get_decision_display() or "",
                   (c.owner.get_full_name() or c.owner.username) if c.owner else ""]
            if money:
                row += [c.value, c.get_billing_period_display(), c.currency]
            yield [_csv_safe(value) for value in row]

    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows()),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contracts-{today}.csv"'
    return response


# --- Creating and editing contracts --------------------------------------------------------


def _contract_form_page(request, form, formset, contract=None, status=200):
    return render(request, "vendors/contract_form.html", {
        "form": form, "formset": formset, "contract": contract,
        "show_money": can_see_money(request.user)}, status=status)


def _save_contract(request, form, formset, save):
    """Validate the form and the fee lines, call ``save(data, fee_lines)``."""
    money = can_see_money(request.user)
    if form.is_valid() and (not money or formset.is_valid()):
        fee_lines = fee_lines_from(formset) if money else None
        try:
            return save(form.cleaned_data, fee_lines)
        except ValidationError as exc:
            errors = web_forms.validation_errors(exc)
            form.add_service_errors({k: v for k, v in errors.items() if k != "fee_lines"})
            formset.fee_errors = errors.get("fee_lines", [])
    return None


@contract_reader
@permission_required("vendors.add_contract", raise_exception=True)
def contract_create(request):
    money = can_see_money(request.user)
    people = web_forms.people(request)
    if request.method == "POST":
        form = ContractForm(request.POST, people=people, show_money=money)
        formset = FeeLineFormSet(request.POST, prefix="fees")
        contract = _save_contract(request, form, formset, lambda data, fees: (
            services.contract_create(by=request.user, fee_lines=fees, **data)))
        if contract is not None:
            messages.success(request, f"{contract.reference} added as a draft.")
            return redirect(contract)
        return _contract_form_page(request, form, formset, status=400)
    initial = {"owner": request.user.pk, "notice_period": 90, "renewal_type": "automatic",
               "renewal_term_months": 12}
    if vendor_id := parse_id(request.GET.get("vendor", "")):
        initial["vendor"] = vendor_id
    form = ContractForm(initial=initial, people=people, show_money=money)
    return _contract_form_page(request, form, FeeLineFormSet(prefix="fees"))


@contract_reader
def contract_edit(request, pk):
    contract = get_object_or_404(Contract, pk=pk)
    if not request.user.has_perm("vendors.manage_contract", contract):
        raise PermissionDenied("Your role cannot change contracts.")
    money = can_see_money(request.user)
    people = web_forms.people(request)
    if request.method == "POST":
        form = ContractForm(request.POST, people=people, show_money=money)
        formset = FeeLineFormSet(request.POST, prefix="fees")
        saved = _save_contract(request, form, formset, lambda data, fees: (
            services.contract_update(contract=contract, by=request.user, fee_lines=fees,
                                     **data)))
        if saved is not None:
            messages.success(request, f"{contract.reference} saved.")
            return redirect(contract)
        return _contract_form_page(request, form, formset, contract, status=400)
    form = ContractForm(initial=ContractForm.values_of(contract), people=people,
                        show_money=money)
    formset = FeeLineFormSet(prefix="fees", initial=[
        {"name": f.name, "kind": f.kind, "amount": f.amount, "notes": f.notes}
        for f in contract.fee_lines.all()] if money else None)
    return _contract_form_page(request, form, formset, contract)


# --- The contract page ----------------------------------------------------------------------

CONTRACT_STEPS = {
    "activate": ("Activate", "Dates, owner and renewal terms are set: start the clock.", None),
    "renew": ("Renew", "Extend it by one term, or to a new end date.", RenewForm),
    "give_notice": ("Record notice given", "We told the vendor it will not renew.",
                    NoticeForm),
    "terminate": ("Terminate", "End it early, with the reason.", TerminateForm),
}
CONTRACT_LABELS = {name: step[0] for name, step in CONTRACT_STEPS.items()}


def _contract_context(request, contract, overrides):
    user = request.user
    forms = web_forms.PageForms(web_forms.people(request), overrides)
    today = timezone.localdate()
    money = can_see_money(user)
    allowed = set(allowed_transitions(contract, user)) - {"expire"}  # the sweep expires
    steps = []
    for name, (label, hint, form_class) in CONTRACT_STEPS.items():
        if name not in allowed:
            continue
        initial = {"given_on": today} if name == "give_notice" else {}
        form = forms(name, form_class or ReasonForm, **initial)
        steps.append({"name": name, "label": label, "hint": hint, "form": form,
                      "has_fields": form_class is not None, "open": name in overrides})
    deadlines = list(contract.deadlines.all())
    pending = [d for d in deadlines if d.due_at is not None and d.kind == DeadlineKind.WARNING]
    fired = [d for d in deadlines if d.fired_at is not None]
    skipped = {DeadlineOutcome.SUPERSEDED, DeadlineOutcome.TOO_LATE, DeadlineOutcome.NOTHING}
    sent = [d for d in fired if d.outcome not in skipped]
    documents = [d for d in contract.documents.select_related("uploaded_by")
                 if user.has_perm("vendors.read_document", d)]
    chain = list(contract.successors.all())
    decision_open = contract.state in RENEWABLE_STATES
    context = {
        "contract": contract, "today": today, "show_money": money,
        "days_to_notice": (contract.notice_date - today).days,
        "steps": steps,
        "fee_lines": list(contract.fee_lines.all()) if money else [],
        "pending_warnings": pending, "sent": sent, "skipped": len(fired) - len(sent),
        "renewals": list(contract.renewals.select_related("renewed_by")),
        "successors": chain,
        "documents": documents,
        "can_decide": decision_open and user.has_perm("vendors.decide_renewal", contract),
        "decision_open": decision_open,
        "decided_late": bool(contract.decided_at and
                             timezone.localtime(contract.decided_at).date()
                             > contract.notice_date),
        "decision_form": forms("decision", DecisionForm, decision=contract.decision,
                               reason=contract.decision_reason),
        "can_upload": user.has_perm("vendors.add_contractdocument"),
        "can_remove_document": user.has_perm("vendors.delete_contractdocument"),
        "document_form": forms("document", DocumentForm, form_kwargs={"show_money": money}),
        "delete_form": forms("delete", ReasonForm),
        "can_manage": user.has_perm("vendors.manage_contract", contract),
        "can_add_contract": user.has_perm("vendors.add_contract"),
        "successor_form": forms("successor", ReasonForm),
        "is_live": contract.state in LIVE_CONTRACT_STATES,
        "is_draft": contract.state == ContractState.DRAFT,
    }
    context["panels"] = registry.panels_for(request, contract, forms)
    context["refusals"] = forms.orphan_errors()
    return context


def _render_contract(request, pk, *, overrides=None, status=200, panel=None):
    contract = get_object_or_404(Contract.objects.select_related(
        "vendor", "owner", "predecessor", "decided_by", "created_by"), pk=pk)
    return web_forms.render_page_or_panel(
        request, _contract_context(request, contract, overrides or {}),
        page_template="vendors/contract_detail.html",
        panel_template="vendors/_contract_panel.html", status=status, panel=panel)


@contract_reader
def contract_detail(request, pk):
    """Dates (the notice date first), the renewal decision, the next steps, money for
    those who see it, documents, renewals and the chain of contracts."""
    return _render_contract(request, pk, panel=False)


def _submit_contract(request, contract, form, *, key, run, done, anchor=""):
    return web_forms.submit(request, contract, form, key=key, run=run, done=done,
                            anchor=anchor, labels=CONTRACT_LABELS, render=_render_contract)


def _run_step(contract, name, by, data):
    if name == "activate":
        return services.contract_activate(contract=contract, by=by)
    if name == "renew":
        return services.contract_renew(contract=contract, by=by,
                                       new_end_date=data["new_end_date"], note=data["note"])
    if name == "give_notice":
        return services.contract_give_notice(contract=contract, by=by,
                                             given_on=data["given_on"], note=data["note"])
    return services.contract_terminate(contract=contract, by=by,
                                       terminated_on=data["terminated_on"],
                                       reason=data["reason"])


@require_POST
@contract_reader
def contract_transition(request, pk, name):
    if name not in CONTRACT_STEPS:
        raise Http404("No such step.")
    contract = get_object_or_404(Contract, pk=pk)
    form_class = CONTRACT_STEPS[name][2] or ReasonForm
    done = {"activate": "activated", "renew": "renewed", "give_notice": "notice recorded",
            "terminate": "terminated"}[name]
    return _submit_contract(
        request, contract, web_forms.bind(request, form_class, name), key=name,
        run=lambda data: _run_step(contract, name, request.user, data), done=done)


@require_POST
@contract_reader
def contract_decide(request, pk):
    contract = get_object_or_404(Contract, pk=pk)
    return _submit_contract(
        request, contract, web_forms.bind(request, DecisionForm, "decision"), key="decision",
        run=lambda data: services.contract_decide(contract=contract, by=request.user,
                                                  decision=data["decision"],
                                                  reason=data["reason"]),
        done="renewal decision recorded", anchor="#decision")


@require_POST
@contract_reader
def contract_successor(request, pk):
    contract = get_object_or_404(Contract, pk=pk)
    form = web_forms.bind(request, ReasonForm, "successor")
    if not form.is_valid():
        return _render_contract(request, pk, overrides={"successor": form}, status=400)
    try:
        successor = services.contract_draft_successor(contract=contract, by=request.user)
    except ValidationError as exc:
        form.add_service_errors(web_forms.validation_errors(exc))
        return _render_contract(request, pk, overrides={"successor": form}, status=400)
    messages.success(request, f"{successor.reference} drafted to follow {contract.reference}.")
    if request.htmx:
        return HttpResponseClientRedirect(successor.get_absolute_url())
    return redirect(successor)


@require_POST
@contract_reader
def document_upload(request, pk):
    contract = get_object_or_404(Contract, pk=pk)
    money = can_see_money(request.user)
    form = DocumentForm(request.POST, request.FILES, auto_id="document-%s",
                        people=web_forms.people(request), show_money=money)
    return _submit_contract(
        request, contract, form, key="document",
        run=lambda data: services.document_upload(contract=contract, by=request.user, **data),
        done="document uploaded", anchor="#documents")


@contract_reader
def document_download(request, pk, document_pk):
    """A contract document, only to people who may read it (pricing: money roles).
    Uploaded files are never served publicly."""
    document = get_object_or_404(ContractDocument.objects.select_related("contract"),
                                 pk=document_pk, contract_id=pk)
    if not request.user.has_perm("vendors.read_document", document):
        raise PermissionDenied("Your role cannot see this document.")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    return FileResponse(handle, as_attachment=True, filename=document.file_name)


@require_POST
@contract_reader
def document_delete(request, pk, document_pk):
    contract = get_object_or_404(Contract, pk=pk)
    document = get_object_or_404(ContractDocument, pk=document_pk, contract=contract)
    return _submit_contract(
        request, contract, web_forms.bind(request, ReasonForm, "delete"), key="delete",
        run=lambda data: services.document_delete(document=document, by=request.user),
        done=f"document “{document.title}” removed", anchor="#documents")


# --- Cards on incident and escalation pages -------------------------------------------------


def attribution_card(request, obj, forms):
    """The "Vendors" card: the vendors named, their NOC and escalation contacts to call,
    and adding or removing vendors for people who may."""
    attributions = attributions_for(obj)
    can_attribute = services.may_attribute(request.user, obj)
    named = {a.vendor_id for a in attributions}
    card = {
        "attributions": attributions,
        "can_attribute": can_attribute,
        "can_read_vendors": request.user.has_perm("vendors.view_vendor"),
        "form": forms("vendor-attribution", AttributionForm) if can_attribute else None,
        "remove_form": forms("vendor-attribution-remove", ReasonForm),
        "kind": "incident" if obj._meta.label_lower == "incidents.incident" else "escalation",
        "named": named,
    }
    return {"vendor_card": card, "work_item": obj}


def _work_item(request, kind, pk):
    """The incident or escalation the card is on, if the user may read it."""
    target = work_items.get_work_item(kind, pk)
    if not work_items.may_view(request.user, target):
        raise PermissionDenied(f"Your role cannot see this {kind}.")
    return target


@require_POST
@login_required
def attribution_add(request, kind, object_pk):
    target = _work_item(request, kind, object_pk)
    form = web_forms.bind(request, AttributionForm, "vendor-attribution")
    return web_forms.submit(
        request, target, form, key="vendor-attribution",
        run=lambda data: services.attribution_add(
            vendor=data["vendor"], contract=data["contract"], reason=data["reason"],
            by=request.user, **{kind: target}),
        done="vendor named", anchor="#vendors", labels={})


@require_POST
@login_required
def attribution_remove(request, pk):
    attribution = get_object_or_404(VendorAttribution.objects.select_related(
        "vendor", "incident", "escalation"), pk=pk)
    target = attribution.incident or attribution.escalation
    if not work_items.may_view(request.user, target):
        raise PermissionDenied("Your role cannot see this.")
    form = web_forms.bind(request, ReasonForm, "vendor-attribution-remove")
    return web_forms.submit(
        request, target, form, key="vendor-attribution-remove",
        run=lambda data: services.attribution_remove(attribution=attribution, by=request.user),
        done=f"{attribution.vendor.name} no longer named", anchor="#vendors", labels={})

