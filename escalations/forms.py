"""Escalation web forms. They parse input only: the services decide.

Like the incident forms (``incidents/forms.py``), the fields a service or a guard
checks (an owner, a containment note, a reason) are optional here on purpose, so a
refusal comes from the one place the rule lives; ``ServiceForm`` shows it next to
the field it names.
"""

from django import forms

from core.forms import ConfirmForm, PersonField, ServiceForm
from core.search import PickerInput
from core.validation import PlausibleDateTimeField, parse_id

from .choices import CustomerTier, EscalationCategory, EscalationPriority
from .models import Customer, RegulatoryRegime

__all__ = [
    "AwaitCustomerForm", "CloseForm", "CompensationForm", "ConfirmForm", "ContainForm",
    "CustomerSearchForm", "EraseForm", "EscalationCreateForm", "EscalationEditForm",
    "LinkEscalationsForm", "LinkIncidentForm", "NoteForm",
    "ReasonForm", "ReopenForm", "ResolveForm", "TierForm", "TriageForm", "WithdrawForm",
]

TEXTAREA = {"rows": 3}


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    tier = forms.ChoiceField(choices=[("", "Any tier"), *CustomerTier.choices], required=False)


class EraseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text="Why, e.g. the request's reference. Kept in the audit history: "
                  "no personal data here.")


# --- Opening -------------------------------------------------------------------------


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # The account reference only: the form is shown to roles without personal data.
        return obj.account_reference


class EscalationCreateForm(ServiceForm):
    customer = CustomerChoiceField(
        Customer.objects.filter(erased_at__isnull=True).order_by("account_reference"),
        empty_label="Choose the customer's account")
    summary = forms.CharField(max_length=200, required=False, widget=forms.TextInput(attrs={
        "required": True, "placeholder": "e.g. Billed twice for March"}))
    category = forms.ChoiceField(required=False,
                                 choices=[("", "Not known yet"), *EscalationCategory.choices])
    priority = forms.ChoiceField(required=False,
                                 choices=[("", "Not known yet"), *EscalationPriority.choices])
    owner = PersonField(label="Owner", empty_label="Assign at triage")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                  help_text="Card numbers are masked on input.")
    requested_outcome = forms.CharField(required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    regulatory_regime = forms.ModelChoiceField(
        RegulatoryRegime.objects.filter(active=True).order_by("name"), required=False,
        label="Regulatory regime", empty_label="None",
        help_text="The regulator's rule the complaint falls under: its final-response "
                  "clock runs beside the internal ones.")
    received_at = PlausibleDateTimeField(
        required=False, label="Received (if earlier than now)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="When the customer complained; the clocks count from then.")


class EscalationEditForm(ServiceForm):
    summary = forms.CharField(max_length=200, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA),
                                  help_text="Card numbers are masked on input.")
    requested_outcome = forms.CharField(required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    priority = forms.ChoiceField(required=False,
                                 choices=[("", "—"), *EscalationPriority.choices])
    category = forms.ChoiceField(required=False,
                                 choices=[("", "—"), *EscalationCategory.choices])
    owner = PersonField(label="Owner")
    regulatory_regime = forms.ModelChoiceField(
        RegulatoryRegime.objects.filter(active=True).order_by("name"), required=False,
        label="Regulatory regime", empty_label="None")


class NoteForm(ServiceForm):
    text = forms.CharField(required=False, label="Note",
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="Card numbers are masked on input.")
    customer_update = forms.BooleanField(
        required=False, label="This is an update sent to the customer",
        help_text="Counts as the first response and restarts the update-cadence clock.")


class CompensationForm(ServiceForm):
    amount = forms.DecimalField(max_digits=12, decimal_places=2, required=False,
                                min_value=0)
    note = forms.CharField(required=False, label="What for",
                           widget=forms.TextInput(attrs={
                               "placeholder": "e.g. refund of the March charges"}))


class LinkIncidentForm(ServiceForm):
    # Search as you type: the reference or words of the title find the incident.
    incident = forms.CharField(required=False, label="Incident reference",
                               widget=PickerInput("incidents.incident",
                                                  placeholder="Reference or words of the title"))


class LinkEscalationsForm(ServiceForm):
    """The escalations ticked on the incident page (ids; the service checks them)."""

    escalations = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        if args:  # bound: accept any id, the service decides what exists
            self.fields["escalations"].choices = [(v, v) for v in args[0].getlist(
                "escalations") if parse_id(v) is not None]
        else:
            self.fields["escalations"].choices = [(e.pk, e.reference) for e in candidates]


# --- Transitions ---------------------------------------------------------------------


class TriageForm(ServiceForm):
    priority = forms.ChoiceField(required=False,
                                 choices=[("", "—"), *EscalationPriority.choices])
    category = forms.ChoiceField(required=False,
                                 choices=[("", "—"), *EscalationCategory.choices])
    owner = PersonField(label="Owner")


class ContainForm(ServiceForm):
    containment_note = forms.CharField(
        required=False, label="Containment note", widget=forms.Textarea(attrs=TEXTAREA),
        help_text="How the customer was contacted and what interim remedy was offered.")


class AwaitCustomerForm(ServiceForm):
    reason = forms.CharField(required=False, label="What are we waiting for?",
                             widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(ServiceForm):
    resolution = forms.CharField(required=False, label="Resolution",
                                 widget=forms.Textarea(attrs=TEXTAREA),
                                 help_text="The resolution agreed with the customer.")


class CloseForm(ServiceForm):
    root_cause_review = forms.CharField(required=False, label="Root-cause review",
                                        widget=forms.Textarea(attrs={"rows": 4}))


class ReopenForm(ServiceForm):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(ServiceForm):
    # The guard names ``withdraw_reason``; the service takes it as ``reason``.
    withdraw_reason = forms.CharField(required=False, label="Why did the customer withdraw?",
                                      widget=forms.Textarea(attrs={"rows": 2}))
    error_fields = {"reason": "withdraw_reason"}


# --- Tier ladder ---------------------------------------------------------------------


class ReasonForm(ServiceForm):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


TierForm = ReasonForm
