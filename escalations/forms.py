"""Escalation web forms. They parse input only: the services decide.

Like the incident forms (``incidents/forms.py``), the fields a service or a guard
checks (an owner, a containment note, a reason) are optional here on purpose, so a
refusal comes from the one place the rule lives; ``ServiceForm`` shows it next to
the field it names.
"""

from django import forms

from incidents.forms import ConfirmForm, PersonField, ServiceForm

from .choices import CustomerTier, EscalationCategory, EscalationPriority, EscalationState, Tier
from .models import Customer

__all__ = [
    "AwaitCustomerForm", "CloseForm", "ConfirmForm", "ContainForm", "CustomerSearchForm",
    "EraseForm", "EscalationCreateForm", "EscalationFilterForm", "ReopenForm", "ResolveForm",
    "TierForm", "TriageForm", "WithdrawForm",
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


# --- The queue -----------------------------------------------------------------------


class EscalationFilterForm(ServiceForm):
    state = forms.ChoiceField(required=False,
                              choices=[("", "Any open state"), *EscalationState.choices])
    category = forms.ChoiceField(required=False,
                                 choices=[("", "Any category"), *EscalationCategory.choices])
    priority = forms.ChoiceField(required=False,
                                 choices=[("", "Any priority"), *EscalationPriority.choices])
    tier = forms.ChoiceField(required=False, choices=[("", "Any tier"), *Tier.choices])
    mine = forms.BooleanField(required=False, label="Owned by me")


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


class TierForm(ServiceForm):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
