"""Budget, spend and initiative pages. Thin: they parse forms, call the services in
``budgets/services.py`` and ``budgets/initiatives.py`` and render what the selectors
read. Money is shown only to roles that see it; every role reads initiatives."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import charts, registry, web_forms
from core.transitions import allowed_transitions

from . import importing, initiatives, money, selectors, services
from .charts import benefit_chart, burn_chart
from .choices import BenefitMethod
from .filters import SpendFilter
from .forms import (
    ApproveForm,
    BaselineForm,
    BenefitForm,
    BudgetForm,
    ConfirmForm,
    DeriveForm,
    InitiativeForm,
    ReasonForm,
    ReviewForm,
    SpendForm,
    SpendImportForm,
)
from .models import Baseline, Budget, FiscalYear, Initiative, SpendEntry, SpendImport

budget_reader = web_forms.page_reader("budgets.read_budgets")
initiative_reader = web_forms.page_reader("budgets.read_initiatives")

# Each initiative step: its button, form, service call and the word for "done".
STEPS = {
    "approve": web_forms.Step(
        "Approve", ApproveForm, lambda i, by, d: initiatives.initiative_approve(
            initiative=i, by=by, approved_cost=d["approved_cost"],
            expected_benefit=d["expected_benefit"], note=d["note"]),
        "approved", "Commits the approved cost."),
    "start": web_forms.Step("Start", ConfirmForm, lambda i, by, d: initiatives.initiative_start(
        initiative=i, by=by), "started"),
    "deliver": web_forms.Step(
        "Mark delivered", ConfirmForm, lambda i, by, d: initiatives.initiative_deliver(
            initiative=i, by=by), "delivered", "The benefits review falls due after "
        "the review period."),
    "review_benefits": web_forms.Step(
        "Review benefits", ReviewForm, lambda i, by, d: initiatives.initiative_review(
            initiative=i, by=by, realised_benefit=d["realised_benefit"], notes=d["notes"]),
        "benefits reviewed"),
    "cancel": web_forms.Step(
        "Cancel", ReasonForm, lambda i, by, d: initiatives.initiative_cancel(
            initiative=i, by=by, reason=d["reason"]), "cancelled", style="secondary outline"),
}
STEP_LABELS = {name: step.label for name, step in STEPS.items()}


def sees_money(user) -> bool:
    return user.has_perm("budgets.see_amounts")


# --- Years and budgets ------------------------------------------------------------------------


@initiative_reader
def index(request):
    """The year's budgets for money roles; every other role reads the initiatives."""
    if not request.user.has_perm("budgets.read_budgets"):
        return redirect("budgets:initiatives")
    today = timezone.localdate()
    year = selectors.current_year(today)
    if year is None:
        first, last, name = money.fiscal_year_bounds(
            today, settings.SWITCHBOARD_FISCAL_YEAR_START_MONTH)
        return render(request, "budgets/empty.html", {
            "can_manage": request.user.has_perm("budgets.manage_budget"),
            "year": {"name": name, "first_day": first, "last_day": last}})
    return redirect(year)


@budget_reader
def year_detail(request, name):
    year = get_object_or_404(FiscalYear, name=name)
    today = timezone.localdate()
    overview = selectors.year_overview(year, today)
    burn = selectors.year_burn(overview)
    return render(request, "budgets/year.html", {
        "overview": overview, "year": year, "today": today,
        "years": FiscalYear.objects.order_by("first_day"),
        "chart": charts.svg(burn_chart(burn, currency=_currency())) if overview.lines else None,
        "can_manage": request.user.has_perm("budgets.manage_budget"),
        "can_record": request.user.has_perm("budgets.record_spend"),
        "currency": _currency(),
    })


def _currency():
    return settings.SWITCHBOARD_CURRENCY


@budget_reader
def budget_detail(request, pk):
    budget = get_object_or_404(Budget.objects.select_related("fiscal_year", "cost_center",
                                                             "owner"), pk=pk)
    return _budget_page(request, budget)


def _budget_page(request, budget, *, spend_form=None, status=200):
    today = timezone.localdate()
    line = selectors.budget_line(budget, today)
    year = budget.fiscal_year
    months = money.month_starts(year.first_day)
    entries = Paginator(budget.spend.select_related("vendor", "contract", "initiative",
                                                    "service_credit").order_by("-date", "-pk"),
                        25).get_page(request.GET.get("page"))
    contracts = [{"contract": c, "committed": selectors.contract_committed(
        c, max(year.first_day, today), year.last_day)} for c in line.budget.contracts.all()]
    can_record = request.user.has_perm("budgets.record_spend")
    return render(request, "budgets/budget_detail.html", {
        "budget": line.budget, "line": line, "year": year, "today": today,
        "months": [(month, plan, actual, actual - plan) for month, plan, actual in
                   zip(months, line.monthly_plan, line.monthly_actual, strict=True)],
        "chart": charts.svg(burn_chart(selectors.budget_burn(line, today),
                                       currency=budget.currency,
                                       title=f"{budget.label}: cumulative spend")),
        "drivers": selectors.variance_drivers(budget), "entries": entries,
        "contracts": contracts,
        "alerts": list(budget.alerts.order_by("threshold")),
        "can_manage": request.user.has_perm("budgets.manage_budget"),
        "can_record": can_record,
        "spend_form": spend_form or (SpendForm(initial={"budget": budget.pk, "date": today},
                                               auto_id="spend-%s") if can_record else None),
    }, status=status)


def _budget_form_page(request, form, budget=None, status=200):
    return render(request, "budgets/budget_form.html", {"form": form, "budget": budget},
                  status=status)


def _year_months(request, budget=None):
    if budget is not None:
        return money.month_starts(budget.fiscal_year.first_day)
    year_id = request.POST.get("fiscal_year") or request.GET.get("year")
    year = FiscalYear.objects.filter(pk=year_id).first() if str(year_id or "").isdigit() \
        else None
    year = year or services.fiscal_year_for(timezone.localdate())
    return money.month_starts(year.first_day)


@budget_reader
def budget_create(request):
    if not request.user.has_perm("budgets.manage_budget"):
        raise PermissionDenied("Your role does not set budgets.")
    people = web_forms.people(request)
    if request.method == "POST":
        form = BudgetForm(request.POST, people=people, months=_year_months(request))
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                budget = services.budget_create(by=request.user, **data)
            except ValidationError as exc:
                form.add_service_errors(web_forms.validation_errors(exc))
            else:
                messages.success(request, f"Budget {budget.label} set for {budget.fiscal_year}.")
                return redirect(budget)
        return _budget_form_page(request, form, status=400)
    year = services.fiscal_year_for(timezone.localdate())
    form = BudgetForm(initial={"fiscal_year": year.pk, "owner": request.user.pk},
                      people=people, months=money.month_starts(year.first_day))
    return _budget_form_page(request, form)


@budget_reader
def budget_edit(request, pk):
    budget = get_object_or_404(Budget.objects.select_related("fiscal_year", "cost_center"),
                               pk=pk)
    if not request.user.has_perm("budgets.manage_budget"):
        raise PermissionDenied("Your role does not set budgets.")
    people = web_forms.people(request)
    months = _year_months(request, budget)
    if request.method == "POST":
        form = BudgetForm(request.POST, people=people, months=months)
        form.fields["fiscal_year"].disabled = form.fields["category"].disabled = True
        form.fields["cost_center"].disabled = True
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items()
                    if k not in ("fiscal_year", "category", "cost_center")}
            try:
                budget = services.budget_update(budget=budget, by=request.user, **data)
            except ValidationError as exc:
                form.add_service_errors(web_forms.validation_errors(exc))
            else:
                messages.success(request, f"Budget {budget.label} saved.")
                return redirect(budget)
        return _budget_form_page(request, form, budget, status=400)
    form = BudgetForm(initial=BudgetForm.values_of(budget), people=people, months=months)
    form.fields["fiscal_year"].disabled = form.fields["category"].disabled = True
    form.fields["cost_center"].disabled = True
    return _budget_form_page(request, form, budget)


# --- Spend ------------------------------------------------------------------------------------


def _spend_form_page(request, form, entry=None, status=200):
    return render(request, "budgets/spend_form.html", {
        "form": form, "entry": entry,
        "delete_form": ReasonForm(auto_id="delete-%s") if entry else None}, status=status)


def _save_form(request, form, run):
    if not form.is_valid():
        return None
    try:
        return run(form.cleaned_data)
    except ValidationError as exc:
        form.add_service_errors(web_forms.validation_errors(exc))
    return None


@budget_reader
def spend_list(request):
    """Every entry, filtered by the API's own FilterSet (``budgets.filters.SpendFilter``),
    50 a page, with the filtered total."""
    filterset = SpendFilter(request.GET or None, queryset=SpendEntry.objects.select_related(
        "budget__fiscal_year", "budget__cost_center", "vendor", "contract", "initiative",
        "service_credit").order_by("-date", "-pk"), request=request)
    entries = filterset.qs
    web_forms.filter_bar(filterset.form)
    fields = filterset.form.fields
    # The selects' labels name related rows: fetched with them, not one query per option.
    fields["budget"].queryset = fields["budget"].queryset.select_related(
        "fiscal_year", "cost_center")
    fields["contract"].queryset = fields["contract"].queryset.select_related("vendor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    total = entries.aggregate(total=Sum("amount"))["total"]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "budgets/spend_list.html", {
        "entries": page, "form": filterset.form, "query": query.urlencode(),
        "total": total.quantize(money.CENT) if total is not None else None,
        "can_record": request.user.has_perm("budgets.record_spend")})


@budget_reader
def spend_import(request):
    """Upload a month of spend (CSV or XLSX): all rows or none, every bad row named."""
    can_import = request.user.has_perm("budgets.record_spend")
    context = {"can_import": can_import,
               "recent": SpendImport.objects.select_related("by")[:10]}
    status = 200
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied("Your role does not record spend.")
        form = SpendImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = importing.spend_import(by=request.user, content=upload.read(),
                                                file_name=upload.name)
            except importing.SpendImportRefused as refused:
                context["refused"] = refused
                status = 400
            except ValidationError as exc:
                form.add_service_errors(web_forms.validation_errors(exc))
                status = 400
            else:
                messages.success(request, f"Imported {record.rows:,} spend entr"
                                          f"{'y' if record.rows == 1 else 'ies'} "
                                          f"({record.total:,} {settings.SWITCHBOARD_CURRENCY}) "
                                          f"from {record.file_name}.")
                return redirect(reverse("budgets:spend") + f"?spend_import={record.pk}")
        else:
            status = 400
    else:
        form = SpendImportForm()
    context["form"] = form
    return render(request, "budgets/spend_import.html", context, status=status)


@budget_reader
def spend_template(request):
    response = HttpResponse(importing.spend_import_template(),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="switchboard-spend-template.csv"'
    return response


@budget_reader
def spend_create(request):
    if not request.user.has_perm("budgets.record_spend"):
        raise PermissionDenied("Your role does not record spend.")
    if request.method == "POST":
        form = SpendForm(request.POST, auto_id="spend-%s")
        entry = _save_form(request, form, lambda data: services.spend_record(
            by=request.user, **data))
        if entry is not None:
            messages.success(request, f"{entry.amount} {entry.currency} recorded on "
                                      f"{entry.budget.label}.")
            return redirect(web_forms.safe_next(request) or entry.budget.get_absolute_url())
        if (budget_id := request.POST.get("budget", "")).isdigit() and \
                request.POST.get("next") and Budget.objects.filter(pk=budget_id).exists():
            return _budget_page(request, Budget.objects.get(pk=budget_id), spend_form=form,
                                status=400)
        return _spend_form_page(request, form, status=400)
    initial = {"date": timezone.localdate()}
    if (budget_id := request.GET.get("budget", "")).isdigit():
        initial["budget"] = int(budget_id)
    return _spend_form_page(request, SpendForm(initial=initial, auto_id="spend-%s"))


@budget_reader
def spend_entry(request, pk):
    """An entry's page: its details and, for entries a person made, the correction form."""
    entry = get_object_or_404(SpendEntry.objects.select_related(
        "budget__fiscal_year", "budget__cost_center", "vendor", "contract", "initiative",
        "service_credit", "spend_import", "recorded_by"), pk=pk)
    editable = request.user.has_perm("budgets.record_spend") and entry.origin != "credit"
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("This entry cannot be corrected here.")
        form = SpendForm(request.POST, auto_id="spend-%s")
        saved = _save_form(request, form, lambda data: services.spend_update(
            entry=entry, by=request.user, **data))
        if saved is not None:
            messages.success(request, "Spend entry corrected.")
            return redirect(saved.budget)
        return _spend_form_page(request, form, entry, status=400)
    form = SpendForm(initial=SpendForm.values_of(entry), auto_id="spend-%s") if editable \
        else None
    return _spend_form_page(request, form, entry)


@require_POST
@budget_reader
def spend_delete(request, pk):
    entry = get_object_or_404(SpendEntry, pk=pk)
    form = ReasonForm(request.POST, auto_id="delete-%s")
    budget = entry.budget
    if form.is_valid():
        try:
            services.spend_delete(entry=entry, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_service_errors(web_forms.validation_errors(exc))
        else:
            messages.success(request, "Spend entry removed.")
            return redirect(budget)
    return render(request, "budgets/spend_form.html", {
        "form": SpendForm(initial=SpendForm.values_of(entry), auto_id="spend-%s"),
        "entry": entry, "delete_form": form}, status=400)


# --- Initiatives ------------------------------------------------------------------------------


@initiative_reader
def initiative_list(request):
    return render(request, "budgets/initiative_board.html", {
        "board": selectors.initiatives_board(), "show_money": sees_money(request.user),
        "can_propose": request.user.has_perm("budgets.propose_initiative"),
    })


def _initiative_form_page(request, form, initiative=None, status=200):
    return render(request, "budgets/initiative_form.html",
                  {"form": form, "initiative": initiative}, status=status)


@initiative_reader
def initiative_create(request):
    if not request.user.has_perm("budgets.propose_initiative"):
        raise PermissionDenied("Your role does not propose initiatives.")
    people = web_forms.people(request)
    if request.method == "POST":
        form = InitiativeForm(request.POST, people=people)
        saved = _save_form(request, form, lambda data: initiatives.initiative_propose(
            by=request.user, **data))
        if saved is not None:
            messages.success(request, f"{saved.reference} proposed.")
            return redirect(saved)
        return _initiative_form_page(request, form, status=400)
    return _initiative_form_page(request, InitiativeForm(initial={"owner": request.user.pk},
                                                         people=people))


@initiative_reader
def initiative_edit(request, pk):
    initiative = get_object_or_404(Initiative, pk=pk)
    if not request.user.has_perm("budgets.work_initiative", initiative):
        raise PermissionDenied("You may not change this initiative.")
    people = web_forms.people(request)
    if request.method == "POST":
        form = InitiativeForm(request.POST, people=people)
        saved = _save_form(request, form, lambda data: initiatives.initiative_update(
            initiative=initiative, by=request.user, **data))
        if saved is not None:
            messages.success(request, f"{saved.reference} saved.")
            return redirect(saved)
        return _initiative_form_page(request, form, initiative, status=400)
    return _initiative_form_page(request, InitiativeForm(
        initial=InitiativeForm.values_of(initiative), people=people), initiative)


def _initiative_context(request, initiative, overrides):
    user = request.user
    forms = web_forms.PageForms(web_forms.people(request), overrides)
    show_money = sees_money(user)
    allowed = set(allowed_transitions(initiative, user))
    steps = [{"name": name, "label": step.label, "hint": step.hint, "style": step.style,
              "form": forms(name, step.form, **_step_initial(initiative, name)),
              "has_fields": step.form is not ConfirmForm, "open": name in overrides}
             for name, step in STEPS.items() if name in allowed]
    baseline = Baseline.objects.filter(initiative=initiative).first()
    figures = initiatives.initiative_figures(initiative) if show_money else None
    can_benefit = user.has_perm("budgets.record_benefit", initiative) and \
        initiatives.benefit_not_yet(initiative) is None
    can_work = user.has_perm("budgets.work_initiative", initiative)
    context = {
        "initiative": initiative, "show_money": show_money, "steps": steps,
        "baseline": baseline, "figures": figures,
        "chart": charts.svg(benefit_chart(figures.series, currency=initiative.currency))
        if figures and figures.series else None,
        "benefits": list(initiative.benefits.select_related("recorded_by")
                         .order_by("period_start", "kind")) if show_money else [],
        "spend": list(initiative.spend.select_related("budget").order_by("date"))
        if show_money else [],
        "queues": list(initiative.queues.all()),
        "can_work": can_work, "can_benefit": can_benefit,
        "baseline_form": forms("baseline", BaselineForm, **_baseline_initial(baseline))
        if can_work and show_money and initiative.is_open else None,
        "benefit_form": forms("benefit", BenefitForm) if can_benefit else None,
        "derive_form": forms("derive", DeriveForm) if can_benefit and baseline and
        baseline.method != BenefitMethod.ENTERED else None,
        "history": initiative.history.select_related("history_user").order_by(
            "-history_date")[:15],
    }
    context["panels"] = registry.panels_for(request, initiative, forms)
    context["refusals"] = forms.orphan_errors()
    return context


def _step_initial(initiative, name):
    if name == "approve":
        return {"approved_cost": initiative.estimated_cost,
                "expected_benefit": initiative.expected_benefit}
    return {}


def _baseline_initial(baseline):
    if baseline is None:
        return {}
    return {"method": baseline.method, "period_start": baseline.period_start,
            "period_end": baseline.period_end, "cost_per_minute": baseline.cost_per_minute,
            "cost_per_contact": baseline.cost_per_contact}


def _render_initiative(request, pk, *, overrides=None, status=200, panel=None):
    initiative = get_object_or_404(Initiative.objects.select_related(
        "owner", "budget__fiscal_year", "budget__cost_center", "vendor", "contract",
        "approved_by"), pk=pk)
    return web_forms.render_page_or_panel(
        request, _initiative_context(request, initiative, overrides or {}),
        page_template="budgets/initiative_detail.html",
        panel_template="budgets/_initiative_panel.html", status=status, panel=panel)


@initiative_reader
def initiative_detail(request, pk):
    """The initiative: what it improves, its state and steps, and — for money roles —
    its cost, benefits, ROI and payback with the formulas, and the chart."""
    return _render_initiative(request, pk, panel=False)


def _submit(request, initiative, form, *, key, run, done, anchor=""):
    return web_forms.submit(request, initiative, form, key=key, run=run, done=done,
                            anchor=anchor, labels=STEP_LABELS, render=_render_initiative)


@require_POST
@initiative_reader
def initiative_step(request, pk, name):
    if name not in STEPS:
        raise Http404("No such step.")
    initiative = get_object_or_404(Initiative, pk=pk)
    step = STEPS[name]
    return _submit(request, initiative, web_forms.bind(request, step.form, name), key=name,
                   run=lambda data: step.run(initiative, request.user, data), done=step.done)


@require_POST
@initiative_reader
def initiative_baseline(request, pk):
    initiative = get_object_or_404(Initiative, pk=pk)
    return _submit(request, initiative, web_forms.bind(request, BaselineForm, "baseline"),
                   key="baseline", run=lambda data: initiatives.baseline_take(
                       initiative=initiative, by=request.user, **data),
                   done="baseline taken", anchor="#baseline")


@require_POST
@initiative_reader
def initiative_benefit(request, pk):
    initiative = get_object_or_404(Initiative, pk=pk)
    return _submit(request, initiative, web_forms.bind(request, BenefitForm, "benefit"),
                   key="benefit", run=lambda data: initiatives.benefit_record(
                       initiative=initiative, by=request.user, **data),
                   done="benefit recorded", anchor="#benefits")


@require_POST
@initiative_reader
def initiative_derive(request, pk):
    initiative = get_object_or_404(Initiative, pk=pk)
    return _submit(request, initiative, web_forms.bind(request, DeriveForm, "derive"),
                   key="derive", run=lambda data: initiatives.benefit_derive(
                       initiative=initiative, by=request.user, **data),
                   done="benefit derived from KPI data", anchor="#benefits")

