"""The clock badge's markup, now written by the tag itself, is what the template it
replaced rendered (kept here as the oracle), in the viewer's time zone."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from core.calendars import EngineCache
from core.clocks import (
    clock_kind,
    clock_pause,
    clock_remaining,
    clock_start,
    clock_status,
    clock_stop,
    format_duration,
)
from tests.testapp.models import Ticket

pytestmark = pytest.mark.django_db
KIND = "testapp.response"
TEMPLATE_BEFORE = Template(
    '<span class="clock-badge clock-{{ status }}" data-clock="{{ clock.pk }}"\n'
    '      title="{{ label }} — {{ status.label }}{% if due_at %}; due '
    "{{ due_at|date:'D j M Y H:i T' }}{% endif %}{% if clock.pause_reason %}; paused: "
    '{{ clock.pause_reason }}{% endif %}">\n'
    '  <span class="clock-label">{{ label }}</span> <span class="clock-text">{{ text }}'
    "</span>\n</span>\n")


def before(clock, now):
    status = clock_status(clock, now)
    remaining = clock_remaining(clock, now, EngineCache())
    if status in {"met", "missed", "not_due"}:
        text = status.label
    elif status == "paused":
        text = f"Paused · {format_duration(remaining)} left"
    elif remaining < timedelta(0):
        text = f"{format_duration(-remaining)} over"
    else:
        text = f"{format_duration(remaining)} left"
    return TEMPLATE_BEFORE.render(Context({
        "clock": clock, "label": clock_kind(clock.kind).label, "status": status,
        "text": text, "due_at": clock.due_at}))


def now_(clock, now):
    return Template("{% load clocks %}{% clock_badge clock now %}").render(
        Context({"clock": clock, "now": now}))


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "Pacific/Auckland"])
def test_badge_markup_is_the_templates(manager, zone):
    start = timezone.now()
    owner = Ticket.objects.create(title="Carrier <outage> & co", owner=manager)
    running = clock_start(owner=owner, kind=KIND, target=timedelta(hours=4), by=manager,
                          at=start)
    other = Ticket.objects.create(title="Second", owner=manager)
    paused = clock_pause(
        clock=clock_start(owner=other, kind=KIND, target=timedelta(hours=4), by=manager,
                          at=start),
        reason='Awaiting "customer" <reply>', by=manager, at=start + timedelta(hours=1))
    third = Ticket.objects.create(title="Third", owner=manager)
    stopped = clock_stop(
        clock=clock_start(owner=third, kind=KIND, target=timedelta(hours=1), by=manager,
                          at=start),
        by=manager, at=start + timedelta(minutes=30))
    with timezone.override(zone):
        for clock in (running, paused, stopped):
            for later in (timedelta(minutes=5), timedelta(hours=6)):
                assert now_(clock, start + later) == before(clock, start + later)
    assert "&lt;reply&gt;" in now_(paused, start)
