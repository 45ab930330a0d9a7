"""The KPI app's objects for the bad-input fuzz (tests/nasty_input.py)."""

from datetime import UTC, datetime


def extend(world):
    from kpis import services
    from kpis.models import IntervalStat

    user = world.user
    queue = services.queue_create(by=user, name="Fuzz queue", channel="voice")
    interval = IntervalStat.objects.create(queue=queue, start=datetime(2026, 11, 30, 9,
                                                                         tzinfo=UTC),
                                           offered=10, answered=8, abandoned=2)
    result = services.intervals_push(by=user, intervals=[{
        "queue": queue.pk, "start": "2026-11-30T09:30:00Z", "offered": 4, "answered": 4,
        "abandoned": 0}])
    world.ids.update({"queues": queue.pk, "intervals": interval.pk,
                      "interval-imports": result.record.pk})
    world.bodies.update({
        "POST /api/queues/": {"name": "Another queue", "channel": "chat"},
        "POST /api/intervals/batch/": {"intervals": [{
            "queue": queue.pk, "start": "2026-11-30T10:00:00Z", "offered": 3,
            "answered": 3, "abandoned": 0}]},
    })
