"""Regulatory regimes (a regulator's final-response deadline) and the SLA policies that
set an escalation's clocks.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.audit import History
from core.choices import PauseCapUnit
from core.fields import FreeCharField, FreeTextField
from core.models import BusinessCalendar
from core.validation import validate_duration

from ..choices import CustomerTier, DayCounting, EscalationCategory, EscalationPriority

# --- Regulatory regimes ---------------------------------------------------------


# No regulator allows more days than this for a final response; it keeps every
# regulatory deadline within the plausible dates of core/validation.py.
MAX_REGULATORY_DAYS = 3 * 366


class RegulatoryRegime(models.Model):
    """A regulator's complaint-handling rule: a final response is owed within a number
    of calendar or business days of receipt, sometimes extendable.

    An escalation under a regime runs a regulatory clock beside the internal ones. Its
    deadline is the end of the last day counted, in the calendar's time zone; business
    days are the days the calendar is open at all (without a calendar: Monday to
    Friday). The clock itself counts every hour (24×7): the regulator's time does not
    stop out of hours. Deadlines are computed in ``escalations/services/regulatory.py``.
    """

    code = models.SlugField(max_length=40, unique=True, help_text="e.g. uk-fca-disp")
    name = FreeCharField(max_length=120)
    jurisdiction = FreeCharField(max_length=60, blank=True)
    description = FreeTextField(
        blank=True, help_text="What the rule asks for, in the desk's words.")
    final_response_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REGULATORY_DAYS)],
        help_text="Days from receipt by which the final response is due.")
    counting = models.CharField(max_length=20, choices=DayCounting.choices,
                                default=DayCounting.CALENDAR_DAYS)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Whose days count: business days are the days it is open, and days end "
                  "at midnight in its time zone. Empty: Monday–Friday, UTC.",
    )
    extended_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_REGULATORY_DAYS)],
        help_text="Days allowed in all after an extension (e.g. 35 business days with a "
                  "holding reply); empty: no extension.")
    extension_conditions = FreeTextField(
        blank=True, help_text="When an extension is allowed, and what the customer is told.")
    reference_url = models.URLField(blank=True, help_text="Where the rule is published.")
    is_example = models.BooleanField(
        default=False,
        help_text="Seeded as an example: check it against the current rules before relying "
                  "on it.")
    active = models.BooleanField(default=True)

    history = History()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} (example)" if self.is_example else self.name

    def clean(self):
        if self.extended_days is not None and self.extended_days <= self.final_response_days:
            raise ValidationError({"extended_days": "An extension must allow more days than "
                                                    f"the {self.final_response_days} normally "
                                                    "allowed."})

    @property
    def rule_text(self) -> str:
        """``56 calendar days``, ``15 business days (35 with an extension)``."""
        unit = self.get_counting_display().lower()
        text = f"{self.final_response_days} {unit}"
        if self.extended_days:
            text += f" ({self.extended_days} with an extension)"
        return text


# --- SLA policies --------------------------------------------------------------


def default_pausing_kinds():
    """While awaiting the customer, the update cadence and resolution clocks pause."""
    from ..clock_kinds import RESOLUTION_CLOCK, UPDATE_CLOCK

    return [UPDATE_CLOCK, RESOLUTION_CLOCK]


# The policy fields that make a new version when they change: what clocks are held to.
POLICY_TARGET_FIELDS = (
    "first_response", "update_cadence", "containment", "resolution", "calendar",
    "first_response_calendar", "update_calendar", "containment_calendar",
    "resolution_calendar", "pause_in_awaiting_customer", "pause_cap", "pause_cap_unit",
)


def _calendar_field(label):
    return models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=f"Calendar the {label} clock counts on (empty: the policy's calendar).")


class EscalationSlaPolicy(models.Model):
    """Targets an escalation is held to. Ordered: the first active policy whose
    conditions all match applies (an empty condition matches anything).

    Versioned: a change to a target, a calendar or the pausing rules makes a new
    ``version``. Clocks keep the targets they started with — editing a policy never
    moves clocks already running; a manager applies the new version to an escalation
    explicitly (``escalation_apply_policy``).
    """

    name = FreeCharField(max_length=120)
    order = models.PositiveIntegerField(unique=True, help_text="Lower is checked first.")
    active = models.BooleanField(default=True)
    priority = models.CharField(max_length=2, choices=EscalationPriority.choices, null=True,
                                blank=True, help_text="Empty: any priority.")
    customer_tier = models.CharField(max_length=20, choices=CustomerTier.choices, null=True,
                                     blank=True, help_text="Empty: any customer tier.")
    category = models.CharField(max_length=20, choices=EscalationCategory.choices, null=True,
                                blank=True, help_text="Empty: any category.")
    regulatory_regime = models.ForeignKey(
        RegulatoryRegime, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty: any escalation, under a regime or not.")
    first_response = models.DurationField(null=True, blank=True, validators=[validate_duration])
    update_cadence = models.DurationField(null=True, blank=True, validators=[validate_duration])
    containment = models.DurationField(null=True, blank=True, validators=[validate_duration])
    resolution = models.DurationField(null=True, blank=True, validators=[validate_duration])
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Calendar the clocks count on (empty: 24×7).",
    )
    first_response_calendar = _calendar_field("first-response")
    update_calendar = _calendar_field("update-cadence")
    containment_calendar = _calendar_field("containment")
    resolution_calendar = _calendar_field("resolution")
    pause_in_awaiting_customer = models.JSONField(
        default=default_pausing_kinds, blank=True,
        help_text="Clock kinds that pause while awaiting the customer, e.g. "
                  '["escalations.resolution"].',
    )
    pause_cap = models.DurationField(
        null=True, blank=True, validators=[validate_duration],
        help_text="A paused clock resumes by itself after this long (empty: no cap).",
    )
    pause_cap_unit = models.CharField(
        max_length=8, choices=PauseCapUnit.choices, default=PauseCapUnit.BUSINESS,
        help_text="Business time counts only the clock's working hours (a 2 h cap from "
                  "Friday 16:00 ends Monday 10:00 in a 09:00–17:00 office).")
    version = models.PositiveIntegerField(
        default=1, editable=False,
        help_text="Goes up when a target, calendar or pausing rule changes.")

    history = History()

    class Meta:
        ordering = ["order"]
        verbose_name = "escalation SLA policy"
        verbose_name_plural = "escalation SLA policies"

    def __str__(self):
        return self.name

    def clean(self):
        from ..clock_kinds import KINDS

        kinds = self.pause_in_awaiting_customer
        if not isinstance(kinds, list) or any(k not in KINDS for k in kinds):
            raise ValidationError({"pause_in_awaiting_customer":
                                   f"A list of clock kinds from: {', '.join(KINDS)}."})
        for name in ("first_response", "update_cadence", "containment", "resolution",
                     "pause_cap"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ValidationError({name: "Must be longer than zero."})

    def targets(self) -> dict:
        """``{clock kind: target}`` for every target the policy sets."""
        from ..clock_kinds import (
            CONTAINMENT_CLOCK,
            FIRST_RESPONSE_CLOCK,
            RESOLUTION_CLOCK,
            UPDATE_CLOCK,
        )

        found = {FIRST_RESPONSE_CLOCK: self.first_response, UPDATE_CLOCK: self.update_cadence,
                 CONTAINMENT_CLOCK: self.containment, RESOLUTION_CLOCK: self.resolution}
        return {kind: target for kind, target in found.items() if target}

    def calendar_for(self, kind):
        """The calendar a clock of ``kind`` counts on (None: the 24×7 calendar)."""
        from ..clock_kinds import (
            CONTAINMENT_CLOCK,
            FIRST_RESPONSE_CLOCK,
            RESOLUTION_CLOCK,
            UPDATE_CLOCK,
        )

        own = {FIRST_RESPONSE_CLOCK: self.first_response_calendar,
               UPDATE_CLOCK: self.update_calendar,
               CONTAINMENT_CLOCK: self.containment_calendar,
               RESOLUTION_CLOCK: self.resolution_calendar}.get(kind)
        return own or self.calendar
