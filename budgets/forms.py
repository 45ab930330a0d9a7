"""Budget, spend and initiative web forms. They parse input only: the services decide
(a phasing that does not add up, a date outside the year, a role without money) and
their refusals are shown next to the field they name."""

from django import forms

from core.forms import DATE_WIDGET, PersonField, ServiceForm, text_field
from kpis.models import Queue
from vendors.models import Contract, Vendor

from . import money
from .choices import BenefitKind, BenefitMethod, BudgetCategory, CostType
from .models import Budget, CostCenter, FiscalYear, Initiative

AMOUNT = {"max_digits": 14, "decimal_places": 2}
MONTH_WIDGET = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


def money_field(label=None, required=True, **kwargs):
    return forms.DecimalField(label=label, required=required, **AMOUNT, **kwargs)


class BudgetForm(ServiceForm):
    fiscal_year = forms.ModelChoiceField(FiscalYear.objects.all(), empty_label=None)
    category = forms.ChoiceField(choices=BudgetCategory.choices)
    cost_center = forms.ModelChoiceField(CostCenter.objects.filter(active=True),
                                         label="Cost center")
    name = forms.CharField(max_length=120, required=False,
                           help_text="Optional: the category and cost center by default.")
    owner = PersonField(empty_label="Nobody yet")
    amount = money_field("Amount for the year", min_value=0)
    alert_thresholds = forms.CharField(
        required=False, initial="80, 100", label="Alert at (% consumed)",
        help_text="Comma-separated percentages; each alerts the owner and Finance once.")
    notes = text_field(rows=2)

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Optional phasing: one amount per month of the year, labelled by month.
        self.month_names = []
        for n in range(money.MONTHS):
            label = months[n].strftime("%b %Y") if months else f"Month {n + 1}"
            self.fields[f"month_{n + 1}"] = money_field(label, required=False, min_value=0)
            self.month_names.append(f"month_{n + 1}")

    @property
    def month_fields(self):
        return [self[name] for name in self.month_names]

    def clean_alert_thresholds(self):
        text = self.cleaned_data["alert_thresholds"].replace("%", "")
        values = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            if not part.isdigit():
                raise forms.ValidationError(f"“{part}” is not a whole percentage.")
            values.append(int(part))
        return values

    def clean(self):
        data = super().clean()
        months = [data.get(name) for name in self.month_names]
        if any(value is not None for value in months):
            if any(value is None for value in months):
                raise forms.ValidationError(
                    "Give all twelve monthly amounts, or none for an even phasing.")
            data["phasing"] = [str(value) for value in months]
        else:
            data["phasing"] = []
        for name in self.month_names:
            data.pop(name, None)
        return data

    @staticmethod
    def values_of(budget: Budget):
        values = {name: getattr(budget, name) for name in ("category", "name", "amount", "notes")}
        values |= {"fiscal_year": budget.fiscal_year_id, "cost_center": budget.cost_center_id,
                   "owner": budget.owner_id,
                   "alert_thresholds": ", ".join(str(t) for t in budget.alert_thresholds)}
        for n, value in enumerate(budget.phasing or []):
            values[f"month_{n + 1}"] = value
        return values


class SpendForm(ServiceForm):
    budget = forms.ModelChoiceField(Budget.objects.select_related("fiscal_year", "cost_center")
                                    .order_by("-fiscal_year__first_day", "category"))
    date = forms.DateField(widget=DATE_WIDGET)
    amount = money_field(help_text="Negative for a refund or a credit note.")
    cost_type = forms.ChoiceField(choices=CostType.choices, label="Cost type")
    vendor = forms.ModelChoiceField(Vendor.objects.order_by("name"), required=False)
    contract = forms.ModelChoiceField(Contract.objects.select_related("vendor")
                                      .order_by("reference"), required=False,
                                      help_text="Its vendor is filled in from the contract.")
    initiative = forms.ModelChoiceField(Initiative.objects.order_by("-created_at"),
                                        required=False)
    invoice_reference = forms.CharField(max_length=120, required=False)
    description = forms.CharField(max_length=300, required=False)

    FIELDS = ("budget", "date", "amount", "cost_type", "vendor", "contract", "initiative",
              "invoice_reference", "description")

    @classmethod
    def values_of(cls, entry):
        return {name: getattr(entry, name) for name in cls.FIELDS}


class ReasonForm(ServiceForm):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(ServiceForm):
    """A step that needs nothing typed."""


class InitiativeForm(ServiceForm):
    title = forms.CharField(max_length=200)
    description = text_field(rows=4)
    owner = PersonField(empty_label="Me")
    budget = forms.ModelChoiceField(Budget.objects.select_related("fiscal_year", "cost_center")
                                    .order_by("-fiscal_year__first_day", "category"),
                                    required=False, help_text="Where its spend is booked.")
    vendor = forms.ModelChoiceField(Vendor.objects.order_by("name"), required=False)
    contract = forms.ModelChoiceField(Contract.objects.order_by("reference"), required=False)
    queues = forms.ModelMultipleChoiceField(Queue.objects.order_by("name"), required=False,
                                            help_text="The queues it should improve: the "
                                                      "baseline and benefits read their KPIs.")
    estimated_cost = money_field("Estimated cost", required=False, min_value=0)
    expected_benefit = money_field("Expected benefit per year", required=False, min_value=0)
    review_after_months = forms.IntegerField(min_value=1, max_value=36, initial=3,
                                             label="Benefits review after (months)")

    FIELDS = ("title", "description", "budget", "vendor", "contract", "estimated_cost",
              "expected_benefit", "review_after_months")

    @classmethod
    def values_of(cls, initiative):
        return {name: getattr(initiative, name) for name in cls.FIELDS} | {
            "owner": initiative.owner_id, "queues": list(initiative.queues.all())}


class ApproveForm(ServiceForm):
    approved_cost = money_field("Approved cost", min_value=0)
    expected_benefit = money_field("Expected benefit per year", required=False, min_value=0)
    note = forms.CharField(max_length=300, required=False)


class ReviewForm(ServiceForm):
    realised_benefit = money_field("Realised benefit", required=False,
                                   help_text="Empty: the measured benefits recorded so far.")
    notes = text_field("What was learnt", rows=3)


class BaselineForm(ServiceForm):
    error_fields = {"containment_percent": "containment"}

    method = forms.ChoiceField(choices=[(v, label) for v, label in BenefitMethod.choices
                                        if v != BenefitMethod.ENTERED])
    period_start = forms.DateField(widget=DATE_WIDGET, required=False,
                                   label="KPI period from")
    period_end = forms.DateField(widget=DATE_WIDGET, required=False, label="until (excluded)")
    cost_per_minute = forms.DecimalField(max_digits=12, decimal_places=4, required=False,
                                         min_value=0, label="Loaded cost per agent-minute")
    cost_per_contact = forms.DecimalField(max_digits=12, decimal_places=4, required=False,
                                          min_value=0, label="Cost per agent-handled contact")
    aht_seconds = forms.DecimalField(max_digits=10, decimal_places=2, required=False,
                                     min_value=0, label="AHT (s), without KPI data")
    containment = forms.DecimalField(max_digits=6, decimal_places=2, required=False,
                                     min_value=0, max_value=100,
                                     label="Containment %, without KPI data")
    contacts_per_month = forms.IntegerField(required=False, min_value=0,
                                            label="Contacts per month, without KPI data")


class BenefitForm(ServiceForm):
    period_start = forms.DateField(widget=MONTH_WIDGET, input_formats=MONTH_FORMATS,
                                   label="Month")
    kind = forms.ChoiceField(choices=BenefitKind.choices)
    amount = money_field()
    note = forms.CharField(max_length=300, required=False)


class DeriveForm(ServiceForm):
    period_start = forms.DateField(widget=MONTH_WIDGET, input_formats=MONTH_FORMATS,
                                   label="Month")
    note = forms.CharField(max_length=300, required=False)


class SpendImportForm(ServiceForm):
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX with the template's columns; one "
                                     "bad row refuses the whole file.")
