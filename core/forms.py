"""The shared web kit's forms: what every app's pages build their forms from.

Forms parse input only; services decide. Fields a service checks (a commander, a
summary, a reason) are optional on the forms on purpose, so a refusal comes from
the one place the rule lives and reads the same on the page, in the API and in the
admin. :class:`ServiceForm` puts a service's refusal (``RequirementMissing.errors``
or a ``ValidationError``) next to the field it names.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from .validation import humanise_number_errors

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def person_label(user) -> str:
    return user.get_full_name() or user.username


class PersonField(forms.ChoiceField):
    """A person chosen from a list the view fetched once.

    A ModelChoiceField queries the database every time its select is rendered; the
    incident page shows a dozen person selects (roles, triage, reviewer, each action
    item's owner), so they share one list instead.
    """

    def __init__(self, *, empty_label="—", **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=(), **kwargs)
        self.empty_label = empty_label
        self.people = {}

    def set_people(self, people):
        self.people = {str(person.pk): person for person in people}
        self.choices = [("", self.empty_label),
                        *((pk, person_label(person)) for pk, person in self.people.items())]

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def clean(self, value):
        value = super().clean(value)
        return self.people.get(str(value)) if value not in (None, "") else None


class ServiceForm(forms.Form):
    """A form whose rules are a service's; ``people`` fills every PersonField."""

    # A service's field name → this form's field name, where they differ.
    error_fields: dict[str, str] = {}

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        humanise_number_errors(self)  # "from 0 to 10,000,000", not the column's limit
        for field in self.fields.values():
            if isinstance(field, PersonField):
                field.set_people(people)

    def add_service_errors(self, errors: dict):
        """Show ``{field: [messages]}`` from a service next to the fields it names."""
        for field, messages in errors.items():
            name = self.error_fields.get(field, field)
            if name == NON_FIELD_ERRORS or name not in self.fields:
                name = None
            self.add_error(name, list(messages) if isinstance(messages, list | tuple)
                           else [messages])


class ConfirmForm(ServiceForm):
    """A transition that needs nothing typed (start post-mortem, close, start…)."""


def text_field(label=None, rows=3, **attrs):
    """An optional multi-line text field (its service says whether it may be empty)."""
    return forms.CharField(required=False, label=label,
                           widget=forms.Textarea(attrs={"rows": rows, **attrs}))


class GenerateHolidaysForm(forms.Form):
    country = forms.CharField(max_length=2, min_length=2,
                              help_text="ISO 3166 code, e.g. GB, US, DE.")
    subdivision = forms.CharField(
        max_length=10, required=False, help_text="Optional: ENG, SCT, NIR, WLS for GB; NY for US."
    )
    year_from = forms.IntegerField(min_value=1900, max_value=2200)
    year_to = forms.IntegerField(min_value=1900, max_value=2200)


def time_zone_choices():
    """Every IANA zone, grouped by region, for a select (a typed name is a typo away
    from a folder of the database)."""
    from .validation import known_time_zones

    groups = {}
    for name in sorted(known_time_zones()):
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            continue
        region = name.split("/", 1)[0]
        groups.setdefault(region, []).append((name, name.replace("_", " ")))
    return [("UTC", "UTC"), *[(region, zones) for region, zones in groups.items()]]


class CalendarAdminForm(forms.ModelForm):
    """The calendar in the admin: its zone picked from the list."""

    time_zone = forms.ChoiceField(choices=time_zone_choices)
