"""Vendor and contract web forms. They parse input only: the services decide (a missing
reason, a date out of order, a role without money is refused there and shown next to
the field it names)."""

from django import forms

from core.forms import DATE_WIDGET, PersonField, ServiceForm, text_field
from core.validation import ModelMultipleChoiceField

from .choices import (
    LIVE_CONTRACT_STATES,
    BillingPeriod,
    ContactRole,
    DocumentKind,
    DowntimeEnd,
    ExclusionKind,
    FeeKind,
    NoticeUnit,
    RenewalDecision,
    RenewalType,
    RiskRating,
    VendorCategory,
    VendorStatus,
)
from .models import Contract, Vendor

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def selectable_vendors():
    """Vendors that can be named on new work: everyone not exited."""
    return Vendor.objects.exclude(status=VendorStatus.EXITED).order_by("name")


# --- Vendors --------------------------------------------------------------------------------


class VendorForm(ServiceForm):
    name = forms.CharField(max_length=120)
    category = forms.ChoiceField(choices=VendorCategory.choices)
    account_manager = PersonField(label="Account manager (ours)", empty_label="Nobody yet")
    website = forms.URLField(required=False, assume_scheme="https")
    support_portal = forms.URLField(required=False, assume_scheme="https")
    status_page_url = forms.URLField(required=False, label="Status page URL",
                                     assume_scheme="https")
    notes = text_field(rows=3)

    @staticmethod
    def values_of(vendor):
        return {name: getattr(vendor, name) for name in
                ("name", "category", "website", "support_portal", "status_page_url", "notes")} \
            | {"account_manager": vendor.account_manager_id}


class RiskForm(ServiceForm):
    error_fields = {"risk_rating": "rating", "risk_reason": "reason",
                    "risk_reviewed_at": "reviewed_on"}

    rating = forms.ChoiceField(choices=RiskRating.choices, label="Risk rating")
    reason = text_field("Why this rating", rows=2)
    reviewed_on = forms.DateField(required=False, widget=DATE_WIDGET, label="Reviewed on",
                                  help_text="Empty: today.")


class ReasonForm(ServiceForm):
    reason = forms.CharField(required=False, max_length=300, label="Reason (optional)")


class ContactForm(ServiceForm):
    name = forms.CharField(max_length=120)
    role = forms.ChoiceField(choices=ContactRole.choices)
    phone = forms.CharField(max_length=40, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(required=False)
    hours = forms.CharField(max_length=120, required=False,
                            widget=forms.TextInput(attrs={"placeholder": "24×7"}))
    escalation_order = forms.IntegerField(min_value=1, max_value=99, initial=1,
                                          label="Escalation order",
                                          help_text="1 is called first.")
    notes = forms.CharField(max_length=1000, required=False)


class ExclusionForm(ServiceForm):
    kind = forms.ChoiceField(choices=ExclusionKind.choices, label="Why it does not count")
    incident = forms.ChoiceField(required=False, label="Only for incident",
                                 help_text="Empty: every incident of the vendor in the window.")
    starts_at = forms.DateTimeField(required=False, widget=DATETIME_WIDGET,
                                    input_formats=DATETIME_FORMATS, label="From")
    ends_at = forms.DateTimeField(required=False, widget=DATETIME_WIDGET,
                                  input_formats=DATETIME_FORMATS, label="Until")
    notice_given_at = forms.DateTimeField(
        required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS,
        label="Announced by the vendor at", help_text="Scheduled maintenance only.")
    reason = text_field("Reason", rows=2)

    def __init__(self, *args, incidents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.incidents = {str(incident.pk): incident for incident in incidents}
        self.fields["incident"].choices = [("", "Every incident in the window"), *(
            (pk, f"{incident.reference} {incident.title}"[:90])
            for pk, incident in self.incidents.items())]

    def clean_incident(self):
        return self.incidents.get(self.cleaned_data["incident"])


# --- Contracts ------------------------------------------------------------------------------


class ContractForm(ServiceForm):
    reference = forms.CharField(max_length=40, required=False,
                                help_text="Empty: the next CTR-year-number.")
    vendor = forms.ModelChoiceField(Vendor.objects.order_by("name"), empty_label="Choose…")
    title = forms.CharField(max_length=200)
    services = text_field("Services covered", rows=2)
    start_date = forms.DateField(widget=DATE_WIDGET)
    end_date = forms.DateField(widget=DATE_WIDGET, help_text="The last day of the term.")
    value = forms.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0,
                               help_text="Per billing period.")
    billing_period = forms.ChoiceField(choices=BillingPeriod.choices)
    owner = PersonField(empty_label="Nobody yet", help_text="Warned before the notice date.")
    predecessor = forms.ModelChoiceField(
        Contract.objects.select_related("vendor").order_by("-end_date"), required=False,
        empty_label="None", help_text="The contract this one renews or replaces.")
    renewal_type = forms.ChoiceField(choices=RenewalType.choices)
    renewal_term_months = forms.IntegerField(required=False, min_value=1, max_value=120,
                                             label="Renewal term (months)")
    notice_period = forms.IntegerField(min_value=0, max_value=1000, initial=90)
    notice_unit = forms.ChoiceField(choices=NoticeUnit.choices, label="Notice in")
    downtime_counts_until = forms.ChoiceField(choices=DowntimeEnd.choices,
                                              initial=DowntimeEnd.RESOLVED,
                                              label="Downtime counts until")
    maintenance_notice_days = forms.IntegerField(
        required=False, min_value=0, max_value=365, label="Maintenance notice (days)",
        help_text="Notice the vendor must give for maintenance to be excluded.")

    def __init__(self, *args, show_money=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].label_from_instance = (
            lambda c: f"{c.reference} · {c.vendor.name} · {c.title}"[:100])
        if not show_money:
            del self.fields["value"]

    @staticmethod
    def values_of(contract):
        names = ["reference", "title", "services", "start_date", "end_date", "value",
                 "billing_period", "renewal_type", "renewal_term_months", "notice_period",
                 "notice_unit", "downtime_counts_until", "maintenance_notice_days"]
        return {name: getattr(contract, name) for name in names} | {
            "vendor": contract.vendor_id, "owner": contract.owner_id,
            "predecessor": contract.predecessor_id}


class FeeLineForm(forms.Form):
    name = forms.CharField(max_length=120, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "AgentSeat subscription"}))
    kind = forms.ChoiceField(choices=FeeKind.choices, required=False)
    amount = forms.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    notes = forms.CharField(max_length=300, required=False)


FeeLineFormSet = forms.formset_factory(FeeLineForm, extra=2, max_num=30)


def fee_lines_from(formset):
    """The fee lines typed in ``formset`` (blank rows ignored)."""
    return [{"name": row["name"], "kind": row.get("kind") or FeeKind.SUBSCRIPTION,
             "amount": row.get("amount"), "notes": row.get("notes", "")}
            for row in (form.cleaned_data for form in formset.forms)
            if row and (row.get("name") or row.get("amount") is not None)]


class DecisionForm(ServiceForm):
    error_fields = {"decision_reason": "reason"}

    decision = forms.ChoiceField(choices=RenewalDecision.choices, required=False,
                                 widget=forms.RadioSelect, label="Renewal decision")
    reason = text_field("Why", rows=2, placeholder="e.g. Price per seat above market; "
                                                  "quotes from two alternatives.")


class NoticeForm(ServiceForm):
    error_fields = {"notice_given_on": "given_on", "notice_note": "note"}

    given_on = forms.DateField(required=False, widget=DATE_WIDGET, label="Notice given on")
    note = text_field("How (letter, email, portal) and to whom", rows=2)


class RenewForm(ServiceForm):
    new_end_date = forms.DateField(required=False, widget=DATE_WIDGET, label="New end date",
                                   help_text="Empty: one renewal term.")
    note = text_field("Note", rows=2)


class TerminateForm(ServiceForm):
    error_fields = {"termination_reason": "reason"}

    terminated_on = forms.DateField(required=False, widget=DATE_WIDGET, label="Ends on")
    reason = text_field("Why", rows=2)


class DocumentForm(ServiceForm):
    title = forms.CharField(max_length=200, required=False,
                            help_text="Empty: the file's name.")
    kind = forms.ChoiceField(choices=DocumentKind.choices)
    file = forms.FileField(required=False)

    def __init__(self, *args, show_money=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_money:
            self.fields["kind"].choices = [c for c in DocumentKind.choices
                                           if c[0] != DocumentKind.PRICING]


# --- Attribution (cards on incident and escalation pages) ----------------------------------


class AttributionForm(ServiceForm):
    vendor = forms.ModelChoiceField(queryset=Vendor.objects.none(), required=False,
                                    empty_label="Choose a vendor…")
    contract = forms.ModelChoiceField(
        queryset=Contract.objects.none(), required=False, empty_label="Not one in particular",
        help_text="Where the vendor has several contracts.")
    reason = forms.CharField(max_length=500, required=False, label="Why (optional)")

    def __init__(self, *args, vendors=None, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors if vendors is not None else selectable_vendors()
        self.fields["contract"].queryset = contracts if contracts is not None else (
            Contract.objects.filter(state__in=LIVE_CONTRACT_STATES).select_related("vendor")
            .order_by("vendor__name", "reference"))
        self.fields["contract"].label_from_instance = (
            lambda c: f"{c.vendor.name} · {c.reference} {c.title}"[:100])

    def clean_vendor(self):
        vendor = self.cleaned_data.get("vendor")
        if vendor is None:
            raise forms.ValidationError("Choose the vendor.")
        return vendor


def affected_vendors_field():
    """"Affected vendors" on declaring an incident (``FormExtension``)."""
    # core.validation's field: a 30-digit id is "not a valid choice" before any query
    # (Django's own let it reach SQLite, an OverflowError and a 500).
    return ModelMultipleChoiceField(
        queryset=selectable_vendors(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Affected vendors",
        help_text="Their NOC and escalation contacts show on the incident page.")
