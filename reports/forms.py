from django import forms
from django.contrib.auth import get_user_model

from core.forms import DATE_WIDGET, ServiceForm, text_field

from .choices import ActionItemState, PackKind, ReviewPeriod


def _people():
    return get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct() \
        .order_by("first_name", "last_name", "username")


class ReviewForm(ServiceForm):
    vendor = forms.ModelChoiceField(queryset=None)
    period = forms.ChoiceField(choices=ReviewPeriod.choices, initial=ReviewPeriod.QUARTER)
    period_start = forms.DateField(widget=DATE_WIDGET, label="A day in the period",
                                   help_text="The month or quarter containing this day.")
    meeting_date = forms.DateField(widget=DATE_WIDGET)
    attendees = forms.ModelMultipleChoiceField(queryset=None, required=False,
                                               label="Our attendees")
    vendor_attendees = forms.ModelMultipleChoiceField(queryset=None, required=False,
                                                      label="The vendor's attendees")
    agenda = text_field("Agenda", rows=5)

    def __init__(self, *args, **kwargs):
        from vendors.models import Vendor, VendorContact

        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.order_by("name")
        self.fields["attendees"].queryset = _people()
        self.fields["vendor_attendees"].queryset = VendorContact.objects.select_related(
            "vendor").order_by("vendor__name", "name")


class DecisionsForm(ServiceForm):
    decisions = text_field("Decisions", rows=6)


class ActionItemForm(ServiceForm):
    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(queryset=None)
    due_date = forms.DateField(widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people()


class CloseItemForm(ServiceForm):
    state = forms.ChoiceField(choices=[(ActionItemState.DONE, "Done"),
                                       (ActionItemState.DROPPED, "Dropped")])


class ScheduleForm(ServiceForm):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=PackKind.choices, initial=PackKind.VENDOR,
                             label="Builds")
    calendar = forms.ModelChoiceField(
        queryset=None, required=False, label="Business calendar",
        help_text="Its first working day of each month (holidays respected); Monday to "
                  "Friday when empty.")
    owner = forms.ModelChoiceField(
        queryset=None, required=False, label="Owner (executive pack)",
        help_text="Receives the link; the pack shows what this person may see. You when "
                  "empty.")
    email_owners = forms.BooleanField(required=False, initial=True, label="Email a link")

    def __init__(self, *args, **kwargs):
        from core.models import BusinessCalendar

        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = BusinessCalendar.objects.order_by("name")
        self.fields["owner"].queryset = _people()
