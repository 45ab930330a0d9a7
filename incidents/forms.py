"""Incident web forms. They parse input only: the services decide.

Fields a service checks (a triage commander, a containment summary, a reason) are
optional here on purpose, so a refusal comes from the one place the rule lives and
reads the same on the page, in the API and in the admin. ``ServiceForm`` puts a
service's refusal (``RequirementMissing.errors`` or a ``ValidationError``) next to
the field it names.
"""

from django import forms

from core import registry
from core.forms import DATE_WIDGET, PersonField, ServiceForm, text_field
from core.search import PickerInput
from core.validation import (
    CountField,
    ModelMultipleChoiceField,
    PlausibleDateField,
    PlausibleDateTimeField,
)

from .choices import (
    DECLARE_FORM,
    STAGE_TIMESTAMPS,
    ActionItemKind,
    Audience,
    IncidentRole,
    Priority,
)
from .models import Channel, Incident, Severity
from .services.lifecycle import TITLE_REQUIRED

# --- Declaring ----------------------------------------------------------------------


class DeclareForm(ServiceForm):
    title = forms.CharField(max_length=200, required=False,
                            widget=forms.TextInput(attrs={
                                "required": True, "autofocus": True,
                                "placeholder": "e.g. Chat widget not loading for EU customers"}))
    severity = forms.ModelChoiceField(
        Severity.objects.all(), required=False, empty_label="Not known yet",
        help_text="The severity starts its SLA clocks; it can be set at triage.")
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.P2)
    channels = ModelMultipleChoiceField(
        Channel.objects.filter(active=True), required=False,
        widget=forms.CheckboxSelectMultiple, label="Affected channels")
    affected_services = forms.CharField(
        max_length=500, required=False, label="Affected services and queues",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Billing queue, IVR main menu"}))
    customer_impact = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    commander = PersonField(required=False, label="Incident commander",
                            empty_label="Assign later")
    contacts_affected = CountField(required=False)
    agents_idle = CountField(required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Fields other apps add (core.registry.FormExtension), e.g. affected vendors.
        self.extension_names = []
        for extension in registry.form_extensions(DECLARE_FORM, user):
            added = extension.fields()
            self.fields.update(added)
            self.extension_names.extend(added)

    def clean_title(self):
        # The service's rule and words, checked here too so an empty title is reported
        # with every other field's error at once (not after they are fixed).
        title = self.cleaned_data["title"]
        if not title.strip():
            raise forms.ValidationError(TITLE_REQUIRED)
        return title

    def extension_fields(self):
        """The bound fields other apps added, for the template to draw."""
        return [self[name] for name in self.extension_names]


# --- Transitions --------------------------------------------------------------------


class TriageForm(ServiceForm):
    severity = forms.ModelChoiceField(Severity.objects.all(), required=False,
                                      empty_label="Choose…")
    commander = PersonField(label="Incident commander", empty_label="Choose…")


class ContainForm(ServiceForm):
    containment_summary = forms.CharField(
        required=False, label="How is the impact contained?",
        widget=forms.Textarea(attrs={"rows": 3,
                                     "placeholder": "e.g. Chat routed to the backup widget."}))


class ResolveForm(ServiceForm):
    resolution_summary = forms.CharField(
        required=False, label="How was it resolved?",
        widget=forms.Textarea(attrs={"rows": 3,
                                     "placeholder": "e.g. CDN certificate renewed."}))


class CancelForm(ServiceForm):
    error_fields = {"cancel_reason": "reason"}

    reason = forms.CharField(required=False, label="Why cancel it?",
                             widget=forms.Textarea(attrs={"rows": 2}))
    duplicate_of = forms.CharField(
        required=False, max_length=20, label="Duplicate of (reference, optional)",
        widget=PickerInput("incidents.incident", placeholder="Reference or words of the title"))

    def clean_duplicate_of(self):
        reference = self.cleaned_data["duplicate_of"].strip().upper()
        if not reference:
            return None
        incident = Incident.objects.filter(reference=reference).first()
        if incident is None:
            raise forms.ValidationError(f"No incident has the reference {reference}.")
        return incident


class ReopenForm(ServiceForm):
    reason = forms.CharField(required=False, label="Why reopen it?",
                             widget=forms.Textarea(attrs={"rows": 2}))


class CorrectTimestampForm(ServiceForm):
    """Correct a stage time (``incident_correct_timestamp``: it keeps the stages in order)."""

    # The service names the stage's own field: shown next to the time typed.
    error_fields = {name: "value" for name in STAGE_TIMESTAMPS}

    field = forms.ChoiceField(label="Stage", choices=[
        (name, name.removesuffix("_at").replace("_", " ").capitalize())
        for name in STAGE_TIMESTAMPS])
    value = PlausibleDateTimeField(label="Corrected time (your time zone)",
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                              format="%Y-%m-%dT%H:%M"))
    reason = forms.CharField(required=False, max_length=500, label="Why?")


class SeverityForm(ServiceForm):
    # Required here: the service takes a Severity and has no "none" to change to.
    severity = forms.ModelChoiceField(Severity.objects.all(), label="New severity",
                                      empty_label="Choose…")
    reason = forms.CharField(required=False, max_length=500, label="Why?")


# --- Working the incident -----------------------------------------------------------


class TalkTrackForm(ServiceForm):
    talk_track = forms.CharField(
        required=False, label="Agent talk track (Markdown)",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The approved wording agents read to customers, shown at the top of the page.")


class NoteForm(ServiceForm):
    text = forms.CharField(required=False, label="Note", widget=forms.Textarea(
        attrs={"rows": 2, "placeholder": "What happened, what you saw…"}))
    pinned = forms.BooleanField(required=False, label="Pin to the top")


class PinForm(ServiceForm):
    pinned = forms.BooleanField(required=False)


class StatusUpdateForm(ServiceForm):
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.CUSTOMER)
    body = forms.CharField(required=False, label="Message (Markdown)",
                           widget=forms.Textarea(attrs={"rows": 4}))
    channels = ModelMultipleChoiceField(
        Channel.objects.filter(active=True), required=False,
        widget=forms.CheckboxSelectMultiple, label="Channels mentioned")


class RoleForm(ServiceForm):
    error_fields = {"role": "user"}

    role = forms.ChoiceField(choices=IncidentRole.choices, widget=forms.HiddenInput)
    user = PersonField(empty_label="Nobody")


# --- Post-mortem and action items ---------------------------------------------------


class PostMortemForm(ServiceForm):
    summary = text_field()
    customer_impact = text_field()
    root_cause = text_field()
    contributing_factors = text_field()
    five_whys = text_field("Five whys (one per line)", rows=5)
    went_well = text_field("What went well")
    went_badly = text_field("What went badly")
    lessons = text_field("Lessons")
    reviewer = PersonField(empty_label="Choose…",
                           help_text="Signs off (publishes) the post-mortem.")

    @classmethod
    def values_of(cls, postmortem) -> dict:
        """The post-mortem's fields as form data (to show a refusal next to them)."""
        data = {name: getattr(postmortem, name) for name in cls.base_fields if name != "reviewer"}
        data["reviewer"] = postmortem.reviewer_id or ""
        return data


class ActionItemForm(ServiceForm):
    kind = forms.ChoiceField(choices=ActionItemKind.choices)
    title = forms.CharField(required=False, max_length=200,
                            widget=forms.TextInput(attrs={"placeholder":
                                                          "e.g. Alert before certificates expire"}))
    owner = PersonField(empty_label="Nobody yet")
    due_date = PlausibleDateField(required=False, widget=DATE_WIDGET)


class ActionItemEditForm(ServiceForm):
    owner = PersonField(empty_label="Nobody")
    due_date = PlausibleDateField(required=False, widget=DATE_WIDGET)


class DeclineForm(ServiceForm):
    error_fields = {"wont_do_reason": "reason"}

    reason = forms.CharField(required=False, label="Why won't it be done?", max_length=500)
