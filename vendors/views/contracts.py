"""The contract pages: the list (and its CSV export), creating and editing, the contract
page with its lifecycle, decisions, successor and documents. The vendor pages and the
vendor card on incident and escalation pages live beside it in this package.

Views parse, call a service in ``vendors/services.py`` and render. Like the incident
page, every write on a vendor or contract page is a small form that posts with htmx
and gets the page's panel back (refusals with their real status: 400, 403, 409), or
works as an ordinary POST without JavaScript (``core.web_forms.submit``).
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core import registry, web_forms
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
from ..filters import ContractFilter, filter_widgets
from ..forms import (
    ContractForm,
    DecisionForm,
    DocumentForm,
    FeeLineFormSet,
    NoticeForm,
    ReasonForm,
    RenewForm,
    TerminateForm,
    fee_lines_from,
)
from ..models import Contract, ContractDocument
from ..selectors import contracts_for_list, contracts_needing_attention
from ..visibility import can_see_money
from .common import PAGE_SIZE, _ordering, _sort_columns, contract_reader

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
