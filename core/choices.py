from django.db import models


class Role(models.TextChoices):
    """The role groups. The value is the Django group name people see."""

    MANAGER = "Manager", "Manager"
    INCIDENT_RESPONDER = "Incident Responder", "Incident Responder"
    ESCALATION_LEAD = "Escalation Lead", "Escalation Lead"
    VENDOR_MANAGER = "Vendor Manager", "Vendor Manager"
    FINANCE = "Finance", "Finance"
    VIEWER = "Viewer", "Viewer"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class HolidaySource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    COUNTRY = "country", "Public holidays of a country"
    ICS = "ics", "ICS calendar"


class HolidayFeedKind(models.TextChoices):
    COUNTRY = "country", "Country (holidays package)"
    ICS_URL = "ics_url", "ICS from a URL (re-read daily)"
    ICS_FILE = "ics_file", "Uploaded ICS file"


class ClockState(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    STOPPED = "stopped", "Stopped"


class PauseCapUnit(models.TextChoices):
    """How a pause cap is counted: "at most 5 business days awaiting the customer" is
    business time on the clock's calendar (the default); wall-clock is the option."""

    BUSINESS = "business", "Business time (the clock's calendar)"
    WALL = "wall", "Wall-clock time"


class ClockOutcome(models.TextChoices):
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    # A cadence clock (next update) stopped because the work ended before it fell due:
    # nothing was delivered, so "met" would be a claim nobody earned.
    NOT_DUE = "not_due", "No longer due"


class ClockStatus(models.TextChoices):
    """What a person sees on a clock badge (derived, never stored)."""

    RUNNING = "running", "Running"
    WARNING = "warning", "Warning"
    BREACHED = "breached", "Breached (running)"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    NOT_DUE = "not_due", "No longer due"


class ClockEventKind(models.TextChoices):
    STARTED = "started", "Started"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    WARNING = "warning", "Warning threshold reached"
    BREACHED = "breached", "Deadline passed"
    STOPPED = "stopped", "Stopped"
    RETARGETED = "retargeted", "Target changed"
    RESTARTED = "restarted", "Restarted as a new cycle"
