from django import forms

from core.forms import ServiceForm, text_field

from .choices import DeliveryStatus, Preset
from .services import event_type_choices


class SubscriptionForm(ServiceForm):
    name = forms.CharField(max_length=200)
    url = forms.CharField(max_length=2000, label="URL",
                          help_text="The receiver's https:// address (a Slack or Teams "
                                    "incoming-webhook address for the chat presets).")
    preset = forms.ChoiceField(choices=Preset.choices, initial=Preset.GENERIC)
    event_types = forms.MultipleChoiceField(
        choices=(), widget=forms.CheckboxSelectMultiple, label="Events sent")
    enabled = forms.BooleanField(required=False, initial=True)
    allow_private_addresses = forms.BooleanField(
        required=False, label="Allow private network addresses",
        help_text="Staff only: the receiver runs inside our own network.")

    def __init__(self, *args, can_allow_private=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = event_type_choices()
        if not can_allow_private:
            self.fields["allow_private_addresses"].disabled = True


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(required=False,
                               choices=[("", "Any status"), *DeliveryStatus.choices])
    event_type = forms.CharField(required=False, max_length=60, label="Event type")


class OptInForm(ServiceForm):
    note = text_field("How the customer asked", rows=2)
