"""Playbook web forms. They parse input only: the services decide (see
``incidents/forms.py`` for why fields a service checks are optional here)."""

from datetime import timedelta

from django import forms

from core.choices import Role
from core.forms import ConfirmForm, ServiceForm
from core.validation import MAX_DURATION
from escalations.choices import CustomerTier, EscalationCategory
from incidents.models import Channel, Severity

from . import conditions as rule_conditions
from .choices import Evidence, PlaybookKind
from .models import PRIORITIES, Playbook

__all__ = ["AttachForm", "CompleteForm", "ConfirmForm", "DraftForm", "LibraryFilterForm",
           "MoveForm", "PlaybookCreateForm", "PlaybookEditForm", "RuleForm", "SkipForm",
           "StepForm"]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(required=False, choices=[("", "Incidents and escalations"),
                                                      *PlaybookKind.choices])


class PlaybookCreateForm(ServiceForm):
    name = forms.CharField(max_length=120, required=False)
    slug = forms.SlugField(max_length=60, required=False,
                           help_text="Short name for links and the API, e.g. crm-outage.")
    kind = forms.ChoiceField(choices=PlaybookKind.choices)
    purpose = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PlaybookEditForm(ServiceForm):
    name = forms.CharField(max_length=120, required=False)
    purpose = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


MAX_MINUTES = MAX_DURATION // timedelta(minutes=1)


class StepForm(ServiceForm):
    title = forms.CharField(max_length=200, required=False)
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text="Markdown.")
    responsible_role = forms.ChoiceField(required=False, label="Responsible role",
                                         choices=[("", "Anyone on it"), *Role.choices])
    # Bounded both ways only so the minutes fit a timedelta; "must be positive" is
    # the service's rule (and its message).
    due_minutes = forms.IntegerField(
        required=False, label="Due after (minutes)",
        min_value=-MAX_MINUTES, max_value=MAX_MINUTES,
        help_text="From when the playbook attaches; empty for no due time.")
    required = forms.BooleanField(required=False, initial=True,
                                  help_text="Required steps must be done before closing.")
    evidence = forms.ChoiceField(choices=Evidence.choices, initial=Evidence.NONE,
                                 label="Evidence needed")
    error_fields = {"due_offset": "due_minutes"}

    @staticmethod
    def initial_for(step):
        minutes = int(step.due_offset.total_seconds() // 60) if step.due_offset else None
        return {"title": step.title, "instructions": step.instructions,
                "responsible_role": step.responsible_role, "due_minutes": minutes,
                "required": step.required, "evidence": step.evidence}

    @staticmethod
    def service_fields_of(cleaned_data):
        """The step fields the service takes: minutes become the due offset."""
        data = dict(cleaned_data)
        minutes = data.pop("due_minutes")
        data["due_offset"] = timedelta(minutes=minutes) if minutes is not None else None
        return data


class MoveForm(ServiceForm):
    position = forms.IntegerField(required=False, min_value=1)


class DraftForm(ServiceForm):
    change_note = forms.CharField(max_length=300, required=False, label="What changes",
                                  widget=forms.TextInput(attrs={
                                      "placeholder": "e.g. Callback switch before the briefing"}))


class RuleForm(ServiceForm):
    min_severity = forms.ModelChoiceField(Severity.objects.order_by("rank"), required=False,
                                          label="Severity at least", empty_label="Any")
    min_priority = forms.ChoiceField(required=False, label="Priority at least",
                                     choices=[("", "Any"), *PRIORITIES])
    channel = forms.ModelChoiceField(Channel.objects.filter(active=True), required=False,
                                     empty_label="Any")
    category = forms.ChoiceField(required=False,
                                 choices=[("", "Any"), *EscalationCategory.choices])
    customer_tier = forms.ChoiceField(required=False, label="Customer tier",
                                      choices=[("", "Any"), *CustomerTier.choices])
    regulatory = forms.BooleanField(required=False, label="Only under a regulatory regime")

    def __init__(self, *args, kind=PlaybookKind.INCIDENT, **kwargs):
        super().__init__(*args, **kwargs)
        drop = (("category", "customer_tier", "regulatory") if kind == PlaybookKind.INCIDENT
                else ("min_severity",))
        for name in drop:
            del self.fields[name]
        # Conditions other apps register (the vendors named…), after the rule's own.
        self.fields.update(rule_conditions.form_fields(kind))


class CompleteForm(ServiceForm):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    link = forms.CharField(required=False, widget=forms.URLInput(attrs={
        "placeholder": "https://"}))
    file = forms.FileField(required=False)

    def __init__(self, *args, evidence=Evidence.NONE, **kwargs):
        super().__init__(*args, **kwargs)
        # Show what the step asks for; a note can always be added.
        if evidence != Evidence.LINK:
            del self.fields["link"]
        if evidence != Evidence.FILE:
            del self.fields["file"]
        self.fields["note"].label = "Note" if evidence == Evidence.NOTE else "Note (optional)"


class SkipForm(ServiceForm):
    reason = forms.CharField(required=False, widget=forms.TextInput(attrs={
        "placeholder": "Why it does not apply"}))


class AttachForm(ServiceForm):
    playbook = forms.ModelChoiceField(Playbook.objects.none(), required=False,
                                      empty_label="Choose a playbook")

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["playbook"].queryset = choices
