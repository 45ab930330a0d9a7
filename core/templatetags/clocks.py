"""``{% clock_badge clock %}``: the SLA clock badge incident and escalation pages use."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from core.calendars import EngineCache
from core.clocks import clock_kind, clock_remaining, clock_status, format_duration

register = template.Library()


# The badge's markup, rendered in Python: a list page shows ~150 badges, and each
# one rendered through a template (a copy of the page's context, then the template's
# nodes) was a third of the escalation queue's time (bench/bench_lists.py, issue 20).
BADGE_HTML = (
    '<span class="clock-badge clock-{}" data-clock="{}"\n'
    '      title="{}">\n'
    '  <span class="clock-label">{}</span> <span class="clock-text">{}</span>\n'
    '</span>\n'
)


@register.simple_tag(takes_context=True)
def clock_badge(context, clock, now=None):
    """Remaining time, coloured by state, with the due instant (viewer's zone) on hover.

    Calendars are built once per page render, however many badges it shows.
    """
    engines = context.render_context.setdefault("clock_engines", EngineCache())
    now = now or timezone.now()
    status = clock_status(clock, now)
    remaining = clock_remaining(clock, now, engines)
    if status in {"met", "missed", "not_due"}:
        text = status.label
    elif status == "paused":
        text = f"Paused · {format_duration(remaining)} left"
    elif remaining < timezone.timedelta(0):
        text = f"{format_duration(-remaining)} over"
    else:
        text = f"{format_duration(remaining)} left"
    label = clock_kind(clock.kind).label
    title = f"{label} — {status.label}"
    if clock.due_at:
        title += f"; due {date_format(timezone.localtime(clock.due_at), 'D j M Y H:i T')}"
    if clock.pause_reason:
        title += f"; paused: {clock.pause_reason}"
    return format_html(BADGE_HTML, status, clock.pk, title, label, text)


@register.filter(name="duration")
def duration_filter(value):
    """``{{ step.due_offset|duration }}`` → ``1d 2h``, ``15m``."""
    return format_duration(value) if value is not None else ""


@register.filter(name="duration_words")
def duration_words(value):
    """``{{ cooloff|duration_words }}`` → ``15 minutes``, ``1 hour 30 minutes``: for
    sentences people read (a lock-out), where ``1h 30m`` reads as code."""
    if value is None:
        return ""
    minutes = max(0, round(value.total_seconds() / 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n} {unit}{'s' if n != 1 else ''}"
             for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n]
    return " ".join(parts) or "less than a minute"
