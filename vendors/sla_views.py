"""SLA pages: a contract's objectives and the objective editor (with a worked example
as you type, htmx), an objective's periods (measurements, compliance, reconciliation),
the credit ledger and a credit's page with its steps, the claim letter, and the
vendors ranked by score. Views parse, call ``vendors/sla_services.py`` and render."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import web_forms
from core.printing import PDF_MEDIA_TYPE, render_pdf
from core.transitions import allowed_transitions

from . import sla, sla_services
from .credit_rules import credit_due
from .models import Compliance, Contract, Measurement, ServiceCredit, SlaObjective
from .sla_forms import (
    AcceptForm,
    ClaimForm,
    DisputeFigureForm,
    DisputeForm,
    ImportForm,
    LedgerFilterForm,
    MeasurementForm,
    ObjectiveForm,
    ReceiveForm,
    ReclaimForm,
    WaiveForm,
    initial_from,
)
from .sla_import import import_measurements, read_table
from .sla_selectors import (
    credits_for_ledger,
    last_closed_month,
    ledger_filter,
    vendor_scorecard,
    vendors_ranked,
)
from .visibility import can_see_money

objective_reader = web_forms.page_reader("vendors.view_slaobjective")
credit_reader = web_forms.page_reader("vendors.view_servicecredit")

CREDIT_STEPS = {
    "claim": ("Claim", ClaimForm, "claimed"),
    "accept": ("Mark accepted", AcceptForm, "accepted"),
    "dispute": ("Vendor disputes", DisputeForm, "disputed"),
    "reclaim": ("Claim again with a counter-figure", ReclaimForm, "claimed again"),
    "receive": ("Record received", ReceiveForm, "received"),
    "waive": ("Waive", WaiveForm, "waived"),
}
CREDIT_LABELS = {name: label for name, (label, _, _) in CREDIT_STEPS.items()}


def _money_only(request):
    if not can_see_money(request.user):
        raise PermissionDenied("Service credits are money: your role does not see them.")


# --- Objectives ------------------------------------------------------------------------------


@objective_reader
def contract_objectives(request, pk):
    """A contract's objectives (their current versions) and the editor to add one."""
    contract = get_object_or_404(Contract.objects.select_related("vendor"), pk=pk)
    return _objectives_page(request, contract, ObjectiveForm(
        contract=contract, initial={"excluded_kinds": ObjectiveForm.base_fields[
            "excluded_kinds"].initial, "claim_window_days": 30, "tolerance": 0, "weight": 1,
            "duration_per_outage": True, "minimum_amount": 0}))


def _objectives_page(request, contract, form, status=200, revising=None):
    versions = list(SlaObjective.objects.filter(contract=contract)
                    .select_related("schedule").prefetch_related("schedule__bands")
                    .order_by("name", "-effective_from"))
    current = {}
    for version in versions:
        current.setdefault(version.series, version)
    return render(request, "vendors/sla/contract_objectives.html", {
        "contract": contract, "objectives": list(current.values()), "form": form,
        "revising": revising, "can_edit": request.user.has_perm("vendors.manage_objective"),
        "show_money": can_see_money(request.user)}, status=status)


@require_POST
@objective_reader
def objective_save(request, pk, objective_pk=None):
    """Add an objective, or (``objective_pk``) its next version from a date."""
    contract = get_object_or_404(Contract.objects.select_related("vendor"), pk=pk)
    revising = get_object_or_404(SlaObjective, pk=objective_pk, contract=contract) \
        if objective_pk else None
    form = ObjectiveForm(request.POST, contract=contract)
    if form.is_valid():
        fields, schedule, effective_from = form.service_arguments()
        try:
            if revising:
                objective = sla_services.objective_revise(
                    objective=revising, by=request.user, effective_from=effective_from,
                    schedule=schedule, **fields)
            else:
                objective = sla_services.objective_create(
                    contract=contract, by=request.user, effective_from=effective_from,
                    schedule=schedule, **fields)
        except ValidationError as exc:
            form.add_service_errors(web_forms.validation_errors(exc))
        else:
            messages.success(request, f"{objective.name}: saved (version {objective.version}, "
                                      f"from {objective.effective_from:%d %b %Y}).")
            return redirect(objective.get_absolute_url())
    return _objectives_page(request, contract, form, status=400, revising=revising)


@objective_reader
def objective_revise_form(request, pk):
    objective = get_object_or_404(SlaObjective.objects.select_related("contract__vendor"),
                                  pk=pk)
    current = sla_services.latest_version(objective.series)
    initial = initial_from(current)
    initial["effective_from"] = sla.period_end(sla.period_start(timezone.now().date(),
                                                                current.period), current.period)
    return _objectives_page(request, current.contract,
                            ObjectiveForm(contract=current.contract, initial=initial),
                            revising=current)


@objective_reader
def objective_preview(request, pk):
    """The worked example the editor shows as you type (htmx): the schedule as typed,
    applied to the example value and outages, with the explanation written out."""
    contract = get_object_or_404(Contract, pk=pk)
    form = ObjectiveForm(request.GET or None, contract=contract)
    context = {"example": None, "problem": ""}
    if form.is_valid():
        fields, schedule, _ = form.service_arguments()
        errors = {}
        _, bands, lines = sla_services._clean_schedule(schedule, contract, errors)
        value = form.cleaned_data.get("example_value")
        target = fields.get("target")
        try:
            outages = tuple(Decimal(part.strip()) for part in
                            (form.cleaned_data.get("example_outages") or "").split(",")
                            if part.strip())
        except ArithmeticError:
            outages, errors["example_outages"] = (), "numbers"
        if errors:
            context["problem"] = "; ".join(f"{k}: {v}" for k, v in errors.items())
        elif value is None or target is None:
            context["problem"] = "Give a target and an example value to see the credit."
        else:
            context["example"] = _worked_example(contract, fields, schedule, bands, lines,
                                                 value, outages)
    else:
        context["problem"] = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
    return render(request, "vendors/sla/_worked_example.html", context)


def _worked_example(contract, fields, schedule, bands, lines, value, outages):
    from types import SimpleNamespace

    from .credit_rules import FeeLine as RuleFeeLine
    from .credit_rules import fee_base

    chosen = lines or [line for line in contract.fee_lines.all()]
    rule_lines = [RuleFeeLine(line.name, sla.period_fee(line.amount, contract.billing_period,
                                                        fields["period"]),
                              one_time=line.kind == "one_time") for line in chosen]
    names = " + ".join(line.name for line in rule_lines if not line.one_time) or "fees"
    probe = SlaObjective(metric=fields["metric"])
    rules = sla.schedule_rules(
        SimpleNamespace(duration_per_outage=schedule["duration_per_outage"],
                        minimum_amount=schedule["minimum_amount"],
                        minimum_rule=schedule["minimum_rule"],
                        cap_percent=schedule["cap_percent"], cap_amount=schedule["cap_amount"]),
        [SimpleNamespace(pk=i, **band) for i, band in enumerate(bands)], probe.unit)
    met = sla.is_met(value, fields["comparator"], fields["target"])
    result = credit_due(rules, missed=not met, value=value, fee_base=fee_base(rule_lines),
                        fee_names=f"{names} fees", currency=contract.currency,
                        outage_minutes=outages)
    return {"met": met, "result": result, "value": value, "unit": probe.unit}


@objective_reader
def objective_detail(request, pk):
    """One objective: its versions, schedule, and every period measured — the figure
    used, ours beside the vendor's, met or missed, the credit with its explanation."""
    objective = get_object_or_404(SlaObjective.objects.select_related(
        "contract__vendor", "schedule"), pk=pk)
    return _objective_page(request, objective)


def _objective_page(request, objective, *, measurement_form=None, import_form=None,
                    import_errors=(), status=200):
    versions = list(SlaObjective.objects.filter(series=objective.series)
                    .select_related("schedule").prefetch_related("schedule__bands",
                                                                 "schedule__fee_lines")
                    .order_by("-effective_from"))
    compliance = list(Compliance.objects.filter(objective__series=objective.series)
                      .select_related("objective", "credit").prefetch_related("disputes")
                      .order_by("-period_start")[:24])
    measurements = list(Measurement.objects.filter(objective__series=objective.series)
                        .select_related("recorded_by").order_by("-period_start", "source")[:48])
    return render(request, "vendors/sla/objective_detail.html", {
        "objective": objective, "contract": objective.contract, "versions": versions,
        "compliance": compliance, "measurements": measurements,
        "show_money": can_see_money(request.user),
        "can_record": request.user.has_perm("vendors.record_measurement"),
        "can_edit": request.user.has_perm("vendors.manage_objective"),
        "can_dispute": request.user.has_perm("vendors.dispute_measurement"),
        "measurement_form": measurement_form or MeasurementForm(
            initial={"period_start": last_closed_month()}),
        "import_form": import_form or ImportForm(), "import_errors": import_errors,
        "dispute_form": DisputeFigureForm()}, status=status)


@require_POST
@objective_reader
def measurement_add(request, pk):
    objective = get_object_or_404(SlaObjective.objects.select_related("contract__vendor"),
                                  pk=pk)
    form = MeasurementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            sla_services.measurement_record(
                objective=objective, by=request.user, period_start=data["period_start"],
                value=data["value"], source=data["source"], detail=data["detail"])
        except ValidationError as exc:
            form.add_service_errors(web_forms.validation_errors(exc))
        else:
            messages.success(request, f"{objective.name}: measurement recorded.")
            return redirect(objective.get_absolute_url())
    return _objective_page(request, objective, measurement_form=form, status=400)


@require_POST
@objective_reader
def measurement_import(request, pk):
    """The vendor's SLA report (CSV/XLSX) for this objective's contract, all or nothing."""
    objective = get_object_or_404(SlaObjective.objects.select_related("contract__vendor"),
                                  pk=pk)
    form = ImportForm(request.POST, request.FILES)
    problems = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_table(upload.name, upload.read(sla_services_max_bytes() + 1))
            recorded = import_measurements(rows=rows, by=request.user,
                                           contract=objective.contract)
        except ValidationError as exc:
            for messages_ in web_forms.validation_errors(exc).values():
                problems.extend(messages_)
        else:
            messages.success(request, f"{len(recorded)} measurement"
                                      f"{'s' if len(recorded) != 1 else ''} imported.")
            return redirect(objective.get_absolute_url())
    return _objective_page(request, objective, import_form=form, import_errors=problems,
                           status=400)


def sla_services_max_bytes():
    from .sla_import import MAX_BYTES

    return MAX_BYTES


@require_POST
@objective_reader
def compliance_dispute(request, pk):
    """Dispute the vendor's figure for a period, with our evidence attached."""
    compliance = get_object_or_404(Compliance.objects.select_related("objective__contract"),
                                   pk=pk)
    form = DisputeFigureForm(request.POST)
    form.is_valid()
    try:
        sla_services.reconciliation_dispute_open(compliance=compliance, by=request.user,
                                                 note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        for problem in (m for ms in web_forms.validation_errors(exc).values() for m in ms):
            messages.error(request, problem)
        return redirect(compliance.objective.get_absolute_url())
    messages.success(request, "Dispute opened with our evidence.")
    return redirect(compliance.objective.get_absolute_url())


# --- Credits ------------------------------------------------------------------------------------


@credit_reader
def credit_ledger(request):
    """Every credit, filterable: due to claim, claimed, disputed, overdue; 50 a page."""
    _money_only(request)
    form = LedgerFilterForm(request.GET or None)
    queryset = credits_for_ledger()
    today = timezone.localdate()
    show = ""
    if form.is_valid():
        show = form.cleaned_data.get("show") or ""
        queryset = queryset.filter(ledger_filter(show, today))
        if form.cleaned_data.get("vendor"):
            queryset = queryset.filter(vendor_id=form.cleaned_data["vendor"])
    page = Paginator(queryset.order_by("claim_deadline", "pk"), 50).get_page(
        request.GET.get("page"))
    return render(request, "vendors/sla/credit_ledger.html", {
        "page": page, "form": form, "show": show, "today": today,
        "status": 400 if form.is_bound and not form.is_valid() else 200},
        status=400 if form.is_bound and not form.is_valid() else 200)


def _credit_context(request, credit, overrides):
    forms = web_forms.PageForms(web_forms.people(request), overrides)
    allowed = set(allowed_transitions(credit, request.user))
    steps = [{"name": name, "label": label, "form": forms(name, form_class)}
             for name, (label, form_class, _) in CREDIT_STEPS.items() if name in allowed]
    return {"credit": credit, "compliance": credit.compliance, "steps": steps,
            "deadlines": list(credit.deadlines.all()), "today": timezone.localdate(),
            "history": list(credit.history.select_related("history_user")
                            .order_by("history_date", "history_id")),
            "refusals": forms.orphan_errors()}


def _render_credit(request, pk, *, overrides=None, status=200):
    credit = get_object_or_404(ServiceCredit.objects.select_related(
        "vendor", "contract", "objective__schedule", "compliance"), pk=pk)
    _money_only(request)
    return web_forms.render_page_or_panel(
        request, _credit_context(request, credit, overrides or {}),
        page_template="vendors/sla/credit_detail.html",
        panel_template="vendors/sla/_credit_panel.html", status=status)


@credit_reader
def credit_detail(request, pk):
    return _render_credit(request, pk)


@require_POST
@credit_reader
def credit_step(request, pk, name):
    if name not in CREDIT_STEPS:
        raise Http404("No such step.")
    _money_only(request)
    credit = get_object_or_404(ServiceCredit, pk=pk)
    label, form_class, done = CREDIT_STEPS[name]
    service = sla_services.CREDIT_ACTIONS[name]
    return web_forms.submit(
        request, credit, web_forms.bind(request, form_class, name), key=name,
        run=lambda data: service(credit=credit, by=request.user, **data), done=done,
        labels=CREDIT_LABELS, render=_render_credit)


LETTER_FORMATS = ("md", "html", "pdf")


@credit_reader
def credit_letter(request, pk, format="md"):
    """The claim letter, ready to send: Markdown to paste into an email, a printable page,
    or a PDF to attach — one text (``sla_services.claim_letter``) in each."""
    if format not in LETTER_FORMATS:
        raise Http404("No such format.")
    _money_only(request)
    credit = get_object_or_404(ServiceCredit.objects.select_related(
        "contract__vendor", "objective__schedule", "compliance"), pk=pk)
    text = sla_services.claim_letter([credit])
    name = f"claim-{credit.contract.reference}-{credit.period_start:%Y-%m}"
    if format == "md":
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.md"'
        return response
    context = {"credit": credit, "letter": text}
    if format == "html":
        return render(request, "vendors/sla/claim_letter_print.html", context)
    response = HttpResponse(render_pdf("vendors/sla/claim_letter_print.html", context,
                                       request=request), content_type=PDF_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


# --- Scorecards --------------------------------------------------------------------------------


def _month_param(request):
    text = request.GET.get("month", "")
    if not text:
        return last_closed_month()
    try:
        if not (text.isascii() and len(text) == 7):
            raise ValueError
        year, month = int(text[:4]), int(text[5:])
        return date(year, month, 1)
    except ValueError:
        return None


@web_forms.page_reader("vendors.view_vendor")
def scorecards(request):
    """Vendors ranked by their weighted SLA score for a month (the last closed one)."""
    month = _month_param(request)
    if month is None or not 2000 <= month.year <= 2100:
        return render(request, "vendors/sla/scorecards.html",
                      {"ranked": [], "month": None,
                       "problem": "month: a month as YYYY-MM (2000 to 2100)."}, status=400)
    return render(request, "vendors/sla/scorecards.html",
                  {"ranked": vendors_ranked(month=month), "month": month})


def scorecard_card(request, vendor, forms):
    """The scorecard card on the vendor page (a registered panel)."""
    card = vendor_scorecard(vendor)
    if not card.rows and not any(point["score"] is not None for point in card.trend):
        return None
    return {"scorecard": card, "show_money": can_see_money(request.user)}
