"""Demo contact-center data: eight queues and six months of 15-minute intervals that
look like a real floor — a daily double hump, quiet weekends, a December run-up to a
Christmas peak, a BPO overflow queue (the demo BPO vendor) and chat on the demo CCaaS
platform — with the demo incidents visible as dips on the queues of the channels they
affected.

Generated with a seeded random generator and written with ``bulk_create`` in batches
(about 100,000 rows in a few seconds). Idempotent: nothing is done if the first demo
queue exists.
"""

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.audit import save_with_audit, system_user

from . import rollup
from .choices import AbandonTreatment
from .models import COUNT_FIELDS, IntervalStat, Queue
from .selectors import INCIDENT_CHANNEL_QUEUES

DAYS = 182
STEP = timedelta(minutes=15)
BATCH = 5_000


@dataclass
class DemoQueue:
    name: str
    channel: str
    site: str
    per_hour: float  # contacts offered in a busy hour
    talk: int  # seconds per contact
    hold: int
    acw: int
    opens: int  # UTC hour
    closes: int
    vendor: str | None = None
    threshold: int = 20
    target: int = 80
    treatment: str = AbandonTreatment.NEGATIVE
    skill: float = 0.86  # service level on an ordinary interval
    christmas: float = 1.0  # extra load at the December peak
    weekend: float = 0.45
    transfer_rate: float = 0.05  # contacts passed on (from a bot: to an agent)
    # An improvement the demo initiatives measure (budgets/demo.py): from this many days
    # ago, handle time is multiplied by ``handle_factor`` and transfers fall to
    # ``improved_transfer_rate``.
    improved_days_ago: int | None = None
    handle_factor: float = 1.0
    improved_transfer_rate: float | None = None


QUEUES = [
    DemoQueue("Voice sales", "voice", "Leeds", 140, 380, 40, 60, 8, 20, christmas=1.7),
    DemoQueue("Voice support", "voice", "Leeds", 220, 420, 70, 90, 7, 22, christmas=1.25),
    DemoQueue("Billing", "voice", "Glasgow", 90, 360, 60, 120, 8, 18, skill=0.82,
              weekend=0.2, improved_days_ago=80, handle_factor=0.91),
    DemoQueue("Chat", "chat", "Leeds", 160, 540, 0, 45, 7, 23, vendor="Nimbus CX",
              threshold=60, treatment=AbandonTreatment.IGNORED),
    DemoQueue("Email", "email", "Glasgow", 60, 300, 0, 60, 0, 24, threshold=14_400,
              target=90, skill=0.93),
    DemoQueue("Social", "social", "Leeds", 25, 240, 0, 90, 8, 22, threshold=3_600,
              target=85, skill=0.9),
    DemoQueue("Overflow (Kaapstad)", "voice", "Cape Town", 80, 440, 80, 100, 6, 20,
              vendor="Kaapstad Contact Partners", skill=0.78, christmas=1.5),
    DemoQueue("Bot-assisted chat", "messaging", "Leeds", 70, 300, 0, 30, 0, 24,
              vendor="Nimbus CX", threshold=60, skill=0.92, transfer_rate=0.42,
              improved_days_ago=110, improved_transfer_rate=0.27),
]


def _daily_shape(hour: float) -> float:
    """A morning and an afternoon hump, quiet at the edges (0..1)."""
    morning = math.exp(-((hour - 10.5) ** 2) / 4.5)
    afternoon = 0.85 * math.exp(-((hour - 15) ** 2) / 5.5)
    return max(0.06, morning + afternoon)


def _season(day: datetime) -> float:
    """December climbs to Christmas Eve; the days after are quiet."""
    if day.month == 12 and day.day <= 24:
        return 1 + (day.day / 24)
    if day.month == 12 and day.day in (25, 26):
        return 0.25
    return 1.0


def seed_kpis(demo=None, *, now=None, days=DAYS) -> int:
    """Create the demo queues and their intervals; returns the rows written."""
    if Queue.objects.filter(name=QUEUES[0].name).exists():
        return 0
    from vendors.models import Vendor

    now = now or timezone.now()
    vendors = {v.name: v for v in Vendor.objects.filter(
        name__in={q.vendor for q in QUEUES if q.vendor})}
    actor = (demo.users.get("manager") or (None,))[0] if demo else None
    actor = actor or system_user()
    end = now.astimezone(UTC).replace(minute=now.minute - now.minute % 15, second=0,
                                      microsecond=0)
    start = (end - timedelta(days=days)).replace(hour=0, minute=0)
    with transaction.atomic():
        queues = []
        for spec in QUEUES:
            queue = Queue(name=spec.name, channel=spec.channel, site=spec.site,
                          vendor=vendors.get(spec.vendor), threshold_seconds=spec.threshold,
                          target_percent=spec.target, abandon_treatment=spec.treatment,
                          short_abandon_seconds=5, import_name=spec.name.upper()
                          .replace(" ", "_").replace("(", "").replace(")", ""))
            save_with_audit(queue, by=actor, reason="Demo data")
            queues.append((spec, queue))
        dips = _incident_dips(start, end)
        rng = random.Random(14)  # noqa: S311 - reproducible demo data, not security
        written = 0
        batch = []
        for spec, queue in queues:
            moment = start
            improved_at = (end - timedelta(days=spec.improved_days_ago)).replace(
                hour=0, minute=0) if spec.improved_days_ago else None
            while moment < end:
                values = _interval(spec, moment, rng, dips.get(spec.channel, ()),
                                   improved=improved_at is not None and moment >= improved_at)
                if values is not None:
                    batch.append(IntervalStat(queue=queue, start=moment, length_minutes=15,
                                              **values))
                if len(batch) >= BATCH:
                    IntervalStat.objects.bulk_create(batch)
                    written += len(batch)
                    batch = []
                moment += STEP
        IntervalStat.objects.bulk_create(batch)
        written += len(batch)
        # bulk_create bypasses the loads that keep the daily rollup: build it here.
        rollup.refresh([queue.pk for _, queue in queues], start, end)
    return written


def _incident_dips(start, end) -> dict:
    """``{queue channel: [(from, to, severity factor)]}`` from the demo incidents."""
    from incidents.models import Incident

    dips: dict[str, list] = {}
    incidents = Incident.objects.filter(declared_at__lt=end, declared_at__gte=start) \
        .exclude(state="cancelled").prefetch_related("channels").select_related("severity")
    for incident in incidents:
        until = incident.resolved_at or min(end, incident.declared_at + timedelta(hours=3))
        until = min(until, incident.declared_at + timedelta(hours=12))
        weight = {"SEV1": 0.85, "SEV2": 0.6, "SEV3": 0.35}.get(
            incident.severity.key if incident.severity else "", 0.2)
        channels = set()
        for channel in incident.channels.all():
            mapped = INCIDENT_CHANNEL_QUEUES.get(channel.key, ())
            channels.update(mapped if mapped is not None else
                            ("voice", "chat", "email", "social", "messaging"))
        for channel in channels:
            dips.setdefault(channel, []).append((incident.declared_at, until, weight))
    return dips


def _interval(spec: DemoQueue, moment: datetime, rng, dips, improved=False) -> dict | None:
    hour = moment.hour + moment.minute / 60
    if not spec.opens <= hour < spec.closes:
        return None
    weekday = moment.weekday()
    load = _daily_shape(hour) * (spec.weekend if weekday >= 5 else 1.0) \
        * (1.15 if weekday == 0 else 1.0)
    season = _season(moment)
    load *= 1 + (season - 1) * (spec.christmas - 1) if season > 1 else season
    expected = spec.per_hour / 4 * load * rng.uniform(0.8, 1.2)
    offered = max(0, round(expected + rng.gauss(0, math.sqrt(max(expected, 1)))))
    if offered == 0:
        return dict.fromkeys(COUNT_FIELDS, 0)
    stress = max(0.0, load - 1.0) * 0.5 + rng.uniform(-0.04, 0.04)
    hit = max((w for s, e, w in dips if s - STEP < moment < e), default=0)
    if hit:
        offered = max(1, round(offered * (1 - 0.5 * hit)))  # contacts that never got through
        stress += hit
    level = min(0.99, max(0.05, spec.skill - stress))
    abandon = min(0.6, max(0.005, 0.035 + stress * 0.3))
    abandoned = min(offered, round(offered * abandon + rng.random()))
    short = round(abandoned * 0.25)
    abandoned_within = short + round((abandoned - short) * 0.35)
    callbacks = min(offered - abandoned, round(offered * 0.015)) if spec.channel == "voice" else 0
    answered = offered - abandoned - callbacks
    within = min(answered, round(answered * level))
    asa = 4 + (1 - level) * spec.threshold * 2.2
    jitter = rng.uniform(0.9, 1.1) * (spec.handle_factor if improved else 1.0)
    transfer_rate = spec.improved_transfer_rate if improved and spec.improved_transfer_rate \
        is not None else spec.transfer_rate
    return {
        "offered": offered, "answered": answered, "answered_within_threshold": within,
        "abandoned": abandoned, "abandoned_within_threshold": abandoned_within,
        "short_abandons": short, "callbacks_queued": callbacks, "handled": answered,
        "talk_seconds": round(answered * spec.talk * jitter),
        "hold_seconds": round(answered * spec.hold * jitter),
        "acw_seconds": round(answered * spec.acw * jitter),
        "answer_wait_seconds": round(answered * asa),
        "transfers": round(answered * transfer_rate),
        "fcr_contacts": answered, "fcr_resolved": round(answered * (0.74 - stress * 0.1)),
        "fcr_not_resolvable": round(answered * 0.05),
        "csat_responses": (responses := round(answered * 0.12)),
        "csat_satisfied": round(responses * min(0.95, 0.84 - stress * 0.3)),
        "nps_responses": (votes := round(answered * 0.1)),
        "nps_promoters": round(votes * max(0.1, 0.46 - stress * 0.3)),
        "nps_detractors": round(votes * min(0.5, 0.18 + stress * 0.3)),
    }
