"""Demo incidents: six months of a contact center's outages, run through the services.

``seed_incidents()`` plays each incident's life forward in time — declare, triage,
status updates, contain, resolve, sometimes reopen, post-mortem, action items, close —
passing every service the instant it happened (``at=``), and stops each incident at
*now*: the recent ones are therefore still declared, triaged, contained, resolved or in
post-mortem, exactly as a real floor would look. A fixed ``random.Random(42)`` makes
the same incidents every time (their instants are relative to ``now``).

Historical SEV1/SEV2 incidents are declared without a severity and given it at triage
(minutes later): declaring them with one would page everybody today for outages that
ended months ago. The incidents of the last hours are declared with their severity and
do page, like live ones.

Idempotent: if any incident declared by a demo user carries a demo title, nothing is
done.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .. import services
from ..choices import ActionItemKind, Audience, IncidentRole, Priority, TimelineKind
from ..models import Channel, Incident, Severity
from .stories_channel import CHANNEL_STORIES, FALSE_ALARM_STORIES
from .stories_platform import PLATFORM_STORIES

M = timedelta(minutes=1)
H = timedelta(hours=1)
D = timedelta(days=1)

DECLARERS = ("responder", "manager")  # the demo users who may declare incidents
HISTORY_DAYS = 182
HISTORICAL_INCIDENTS = 104
FALSE_ALARMS = 6
DUPLICATES = 4

CARRIERS = ["Northwind Telecom", "Telvia"]
SITES = ["Leeds", "Manchester", "Newark", "Cape Town (BPO)"]
QUEUES = ["Billing", "Sales", "Technical support", "Collections", "Retentions", "Claims"]
REGIONS = ["UK North", "UK South", "US East", "Ireland"]

# --- What goes wrong in a contact center (the stories: stories_platform.py, stories_channel.py)

SCENARIOS = PLATFORM_STORIES + CHANNEL_STORIES

TIMES_OF_DAY = [  # (hour, weight): busy contact-center hours, a quieter night
    *[(hour, 1) for hour in range(0, 7)], *[(hour, 6) for hour in range(7, 10)],
    *[(hour, 5) for hour in range(10, 18)], *[(hour, 3) for hour in range(18, 22)],
    (22, 1), (23, 1),
]

# Stage durations per severity (minimum, maximum); some land beyond the targets.
TIMINGS = {
    "SEV1": {"triage": (3 * M, 25 * M), "contain": (20 * M, 110 * M),
             "resolve": (90 * M, 7 * H), "updates": 30 * M},
    "SEV2": {"triage": (5 * M, 45 * M), "contain": (40 * M, 4 * H),
             "resolve": (3 * H, 14 * H), "updates": 60 * M},
    "SEV3": {"triage": (20 * M, 3 * H), "contain": (1 * H, 10 * H),
             "resolve": (6 * H, 4 * D), "updates": 4 * H},
    "SEV4": {"triage": (1 * H, 10 * H), "contain": (4 * H, 2 * D),
             "resolve": (1 * D, 12 * D), "updates": None},
}
SEVERITY_SHARE = {"SEV1": 6, "SEV2": 4, "SEV3": 3, "SEV4": 3}
# scenario, severity, declared this long ago, the last step taken so far.
LIVE = [
    ("sms-delay", "SEV2", 14 * M, "declare"),
    ("kb-search", "SEV4", 50 * M, "declare"),
    ("bot-loop", "SEV2", 95 * M, "triage"),
    ("crm-screenpop", "SEV3", 4 * H, "triage"),
    ("sip-trunk", "SEV1", 2 * H, "contain"),
    ("email-backlog", "SEV3", 11 * H, "contain"),
    ("ccaas-login", "SEV2", 30 * H, "resolve"),
    ("one-way-audio", "SEV2", 3 * D, "resolve"),
    ("chat-widget", "SEV1", 6 * D, "submit"),
    ("ivr-asr", "SEV2", 9 * D, "submit"),
]
UPDATES_BEFORE_CONTAINMENT = {"SEV1": 3, "SEV2": 2, "SEV3": 1, "SEV4": 0}
AGENT_SCALE = {"SEV1": 3, "SEV2": 1.5, "SEV3": 0.6, "SEV4": 0.2}
PRIORITY = {"SEV1": Priority.P1, "SEV2": Priority.P2, "SEV3": Priority.P3,
            "SEV4": Priority.P4}


@dataclass
class Plan:
    """One incident's life: what happens, when. Instants after ``now`` never happen."""

    declared_at: datetime
    scenario: dict | None
    severity: str | None
    words: dict
    title: str
    channels: list
    declarer: str
    commander: str | None
    live: bool = False
    stop_after: str | None = None  # a live incident's last step so far (its state now)
    false_alarm: tuple | None = None
    duplicate_of: "Plan | None" = None  # the plan of the incident it duplicates


def _demo_titles():
    titles = {story[0] for story in FALSE_ALARM_STORIES}
    for scenario in SCENARIOS:
        for title in scenario["titles"]:
            if "{" in title:
                titles.update(title.format(carrier=c, site=s) for c in CARRIERS for s in SITES)
            else:
                titles.add(title)
    return titles


def already_seeded():
    return Incident.objects.filter(declared_by__username__in=DECLARERS,
                                   title__in=_demo_titles()).exists()


def seed_incidents(now: datetime | None = None) -> int:
    """Load the demo incidents; returns how many were declared (0 if already there)."""
    now = now or timezone.now()
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["manager", "responder", "escalation", "vendor", "finance"])}
    if not {"manager", "responder"} <= set(users) or already_seeded():
        return 0
    rng = random.Random(42)  # noqa: S311 - reproducible demo data, not security
    severities = {s.key: s for s in Severity.objects.all()}
    channels = {c.key: c for c in Channel.objects.all()}
    plans = _plans(rng, now)
    with transaction.atomic():
        declared = {}  # id(plan) → its incident, for duplicates to link to
        for plan in plans:
            runner = _Runner(plan, rng=rng, now=now, users=users, severities=severities,
                             channels=channels, declared=declared)
            declared[id(plan)] = runner.run()
    return len(plans)


# --- Planning ---------------------------------------------------------------------------


def _pick(rng, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _between(rng, low: timedelta, high: timedelta) -> timedelta:
    seconds = rng.uniform(low.total_seconds(), high.total_seconds())
    return timedelta(seconds=round(seconds))


def _office_hours(rng, instant: datetime) -> datetime:
    """``instant``, or the next weekday morning if it falls outside 09:00–18:00."""
    if instant.weekday() < 5 and 9 <= instant.hour < 18:
        return instant
    day = instant if instant.hour < 9 else instant + D
    while day.weekday() >= 5:
        day += D
    return day.replace(hour=9, minute=0, second=0) + _between(rng, 5 * M, 90 * M)


def _words(rng, severity):
    scale = {"SEV1": 6, "SEV2": 3, "SEV3": 1, "SEV4": 0.3}.get(severity, 1)
    return {
        "carrier": rng.choice(CARRIERS), "site": rng.choice(SITES),
        "queue": rng.choice(QUEUES), "region": rng.choice(REGIONS),
        "ticket": rng.randint(100000, 999999),
        "contacts": f"{int(rng.randint(150, 900) * scale):,}",
        "agents": max(2, int(rng.randint(10, 40) * AGENT_SCALE.get(severity, 1))),
    }


def _scenario_plan(rng, declared_at, *, scenario=None, severity=None, live=False):
    scenario = scenario or rng.choice(SCENARIOS)
    if severity is None:
        weights = {key: weight * SEVERITY_SHARE[key]
                   for key, weight in scenario["severities"].items()}
        severity = _pick(rng, weights)
    words = _words(rng, severity)
    declarer = rng.choices(DECLARERS, weights=[65, 35])[0]
    return Plan(declared_at=declared_at, scenario=scenario, severity=severity, words=words,
                title=rng.choice(scenario["titles"]).format(**words),
                channels=list(scenario["channels"]), declarer=declarer,
                commander=rng.choice(["responder", "responder", "manager"]), live=live)


def _historical_instant(rng, now):
    day = rng.randint(1, HISTORY_DAYS)
    hour = rng.choices([h for h, _ in TIMES_OF_DAY], weights=[w for _, w in TIMES_OF_DAY])[0]
    return (now - day * D).replace(hour=hour, minute=rng.randint(0, 59),
                                   second=rng.randint(0, 59), microsecond=0)


def _plans(rng, now):
    plans = [_scenario_plan(rng, _historical_instant(rng, now))
             for _ in range(HISTORICAL_INCIDENTS)]
    for story in FALSE_ALARM_STORIES[:FALSE_ALARMS]:
        plan = Plan(declared_at=_historical_instant(rng, now), scenario=None,
                    severity=rng.choice(["SEV2", "SEV3", "SEV3", "SEV4"]), words={},
                    title=story[0], channels=story[2], declarer="responder",
                    commander="responder", false_alarm=story)
        plans.append(plan)
    # The floor right now: incidents of the last days and hours, at known ages so every
    # state is on show (declared, triaged, contained, resolved, post-mortem).
    by_key = {s["key"]: s for s in SCENARIOS}
    for key, severity, age, stop_after in LIVE:
        plan = _scenario_plan(rng, (now - age).replace(microsecond=0), scenario=by_key[key],
                              severity=severity, live=True)
        plan.stop_after = stop_after
        plans.append(plan)
    plans.sort(key=lambda p: p.declared_at)
    # A few duplicates: someone else declares the same outage minutes later.
    originals = [i for i, p in enumerate(plans)
                 if p.scenario and p.severity in ("SEV1", "SEV2") and not p.live]
    for index in rng.sample(originals, DUPLICATES):
        original = plans[index]
        plans.append(Plan(
            declared_at=original.declared_at + _between(rng, 3 * M, 12 * M),
            scenario=None, severity=None, words=original.words, title=original.title,
            channels=original.channels, declarer="manager", commander=None,
            duplicate_of=original,
        ))
    plans.sort(key=lambda p: p.declared_at)  # a duplicate always comes after its original
    return plans


# --- Playing an incident's life ---------------------------------------------------------


class _Runner:
    """Plays one plan's steps in time order, stopping at ``now``."""

    def __init__(self, plan, *, rng, now, users, severities, channels, declared):
        self.plan, self.rng, self.now = plan, rng, now
        self.users, self.severities, self.channels = users, severities, channels
        self.declared = declared  # incidents of earlier plans, by id(plan)
        self.incident = None
        self.items = []
        self.steps = []

    def user(self, username):
        return self.users.get(username) or self.users["manager"]

    def text(self, template):
        return template.format(**self.plan.words) if template else ""

    def at(self, instant, action, *args, stage=None):
        self.steps.append((instant, len(self.steps), action, args, stage))

    def run(self):
        plan = self.plan
        if plan.duplicate_of is not None:
            self._duplicate()
        elif plan.false_alarm:
            self._false_alarm()
        else:
            self._lifecycle()
        for instant, _order, action, args, stage in sorted(self.steps, key=lambda s: s[:2]):
            if instant > self.now:
                break  # the rest of this incident's life is still ahead
            action(instant, *args)
            if stage is not None and stage == plan.stop_after:
                break
        if plan.live and self.incident is not None:
            self._live_touches()
        return self.incident

    # --- stories ---

    def _declare(self, at, with_severity):
        plan = self.plan
        severity = self.severities[plan.severity] if plan.severity else None
        scenario = plan.scenario or {}
        self.incident = services.incident_declare(
            by=self.user(plan.declarer), title=plan.title,
            severity=severity if with_severity else None,
            priority=PRIORITY.get(plan.severity),
            summary=self.text(scenario.get("summary", "")),
            customer_impact=self.text(scenario.get("impact", "")),
            affected_services=self.text(scenario.get("services", "")),
            channels=[self.channels[key] for key in plan.channels],
            commander=self.user(plan.commander) if plan.commander else None,
            contacts_affected=_number(plan.words.get("contacts")),
            # Only where the story has agents sitting idle (not an email backlog).
            agents_idle=plan.words["agents"] if "{agents}" in scenario.get("impact", "")
            else None,
            at=at,
        )

    def _duplicate(self):
        original = self.declared[id(self.plan.duplicate_of)]

        def cancel(at):
            services.incident_cancel(
                incident=self.incident, by=self.user("manager"),
                reason="Same outage, already declared; following it there.",
                duplicate_of=original, at=at)

        self.at(self.plan.declared_at, lambda at: self._declare(at, with_severity=False))
        self.at(self.plan.declared_at + _between(self.rng, 2 * M, 15 * M), cancel)

    def _false_alarm(self):
        plan, rng = self.plan, self.rng
        title, reason, _channels = plan.false_alarm
        commander = self.user(plan.commander)
        start = plan.declared_at
        self.at(start, lambda at: self._declare(at, with_severity=True))
        if rng.random() < 0.5:
            self.at(start + _between(rng, 5 * M, 30 * M),
                    lambda at: services.incident_triage(incident=self.incident, by=commander,
                                                        at=at))
        self.at(start + _between(rng, 35 * M, 2 * H),
                lambda at: services.incident_cancel(incident=self.incident,
                                                    by=self.user("manager"), reason=reason,
                                                    at=at))

    def _lifecycle(self):
        plan, rng, scenario = self.plan, self.rng, self.plan.scenario
        severity = self.severities[plan.severity]
        timing = TIMINGS[plan.severity]
        commander = self.user(plan.commander)
        start = plan.declared_at
        # Historical SEV1/SEV2: severity confirmed at triage (see the module docstring).
        pages = severity.rank <= services.PAGING_SEVERITY_RANK
        with_severity = plan.live or not pages
        self.at(start, lambda at: self._declare(at, with_severity=with_severity),
                stage="declare")

        triaged = start + _between(rng, *timing["triage"])
        self.at(triaged, lambda at: services.incident_triage(
            incident=self.incident, by=commander, severity=severity, commander=commander,
            at=at), stage="triage")
        for offset, note in enumerate(scenario["notes"]):
            when = start + (triaged - start) * (offset + 1) / (len(scenario["notes"]) + 1)
            self.at(when + M, self._note, note, offset == 0)

        contains = bool(scenario["containment"]) and (plan.severity != "SEV4"
                                                      or rng.random() < 0.4)
        contained = start + _between(rng, *timing["contain"])
        if contained <= triaged:
            contained = triaged + _between(rng, 10 * M, 40 * M)
        resolved = max(start + _between(rng, *timing["resolve"]),
                       (contained if contains else triaged) + _between(rng, 20 * M, 3 * H))
        if contains:
            self.at(contained, lambda at: services.incident_contain(
                incident=self.incident, by=commander, summary=self.text(scenario["containment"]),
                at=at), stage="contain")
        self._updates(triaged, contained if contains else resolved, timing["updates"],
                      commander)
        # The attached playbooks are worked as the incident goes; all required steps are
        # done by resolution (they would block the close otherwise).
        for when in (triaged + 2 * M, contained if contains else triaged + 30 * M):
            self.at(when, self._work_playbooks, commander, False)
        self.at(resolved - M, self._work_playbooks, commander, True)
        self.at(resolved, lambda at: services.incident_resolve(
            incident=self.incident, by=commander, summary=self.text(scenario["resolution"]),
            at=at), stage="resolve")
        if len(scenario["customer_updates"]) > 1 and plan.severity != "SEV4":
            self.at(resolved + _between(rng, 5 * M, 20 * M), self._update, Audience.CUSTOMER,
                    self.text(scenario["customer_updates"][-1]), commander)

        # Reopened: the fix did not hold (only where no post-mortem clock would restart).
        if not severity.postmortem_required and contains and rng.random() < 0.12:
            reopened = resolved + _between(rng, 40 * M, 8 * H)
            self.at(reopened, lambda at: services.incident_reopen(
                incident=self.incident, by=commander,
                reason="Same symptoms back after the fix; agents reporting it again.", at=at))
            recontained = reopened + _between(rng, 20 * M, 2 * H)
            self.at(recontained, lambda at: services.incident_contain(
                incident=self.incident, by=commander,
                summary="Workaround re-applied while the fix is redone.", at=at))
            resolved = recontained + _between(rng, 1 * H, 10 * H)
            self.at(resolved, lambda at: services.incident_resolve(
                incident=self.incident, by=commander,
                summary=self.text(scenario["resolution"]) + " Fix re-applied and verified "
                "for a full business day.", at=at))

        wants_postmortem = severity.postmortem_required or (
            scenario["root_cause"] and plan.severity == "SEV3" and rng.random() < 0.3)
        if wants_postmortem:
            self._postmortem(resolved, commander)
        else:
            closed = _office_hours(rng, resolved + _between(rng, 1 * H, 3 * D))
            self.at(closed, lambda at: services.incident_close(
                incident=self.incident, by=commander, at=at))

    def _work_playbooks(self, at, by, finish):
        from playbooks.demo import work_playbooks

        if self.incident is not None:
            work_playbooks(self.incident, by=by, at=at, finish=finish)

    def _postmortem(self, resolved, commander):
        rng, scenario = self.rng, self.plan.scenario
        reviewer = self.user("manager" if commander.username != "manager" else "responder")
        # Post-mortems are written and reviewed in office hours, one step after another.
        started = _office_hours(rng, resolved + _between(rng, 2 * H, 2 * D))
        items_at = _office_hours(rng, started + _between(rng, 12 * H, 2 * D))
        submitted = _office_hours(rng, items_at + _between(rng, 3 * H, 2 * D))
        published = _office_hours(rng, submitted + _between(rng, 3 * H, 2 * D))
        closed = _office_hours(rng, published + _between(rng, 2 * H, 2 * D))

        def start(at):
            services.incident_start_postmortem(incident=self.incident, by=commander, at=at)
            services.postmortem_edit(
                postmortem=self.incident.postmortem, by=commander,
                summary=self.text(scenario["summary"]),
                customer_impact=self.text(scenario["impact"]))

        def submit(at):
            services.postmortem_edit(
                postmortem=self.incident.postmortem, by=commander, reviewer=reviewer,
                root_cause=self.text(scenario["root_cause"]),
                contributing_factors=self.text(scenario["contributing"]),
                five_whys="\n".join(self.text(why) for why in scenario["five_whys"]),
                went_well=self.text(scenario["went_well"]),
                went_badly=self.text(scenario["went_badly"]),
                lessons=self.text(scenario["lessons"]))
            services.postmortem_transition(postmortem=self.incident.postmortem, by=commander,
                                           name="submit", at=at)

        self.at(started, start)
        for offset, (kind, title, owner, due_days) in enumerate(scenario["action_items"]):
            self._action_item(items_at + offset * _between(rng, 2 * M, 20 * M), kind, title,
                              owner, due_days, commander)
        self.at(submitted, submit, stage="submit")
        self.at(published, lambda at: services.postmortem_transition(
            postmortem=self.incident.postmortem, by=reviewer, name="publish", at=at))
        self.at(closed, lambda at: services.incident_close(
            incident=self.incident, by=commander, at=at))

    def _action_item(self, created, kind, title, owner, due_days, by):
        rng = self.rng
        owner = self.user(owner)
        due = (created + due_days * D).date()
        holder = {}

        def create(at):
            holder["item"] = services.action_item_create(
                incident=self.incident, by=by, kind=ActionItemKind(kind), title=self.text(title),
                owner=owner, due_date=due, at=at,
                description="Agreed in the post-mortem review.")

        def move(at, name, reason=""):
            holder["item"] = services.action_item_transition(
                item=holder["item"], by=owner, name=name, reason=reason, at=at)

        self.at(created, create)
        if rng.random() < 0.75:
            self.at(_office_hours(rng, created + _between(rng, 2 * H, 2 * D)), move, "start")
        outcome = rng.random()
        if outcome < 0.08:
            self.at(_office_hours(rng, created + _between(rng, 3 * D, 15 * D)), move, "decline",
                    "Superseded by the platform migration planned for next quarter.")
        elif outcome < 0.9:  # most are done, some after their due date
            self.at(_office_hours(rng, created + _between(rng, 4 * D, (due_days + 10) * D)),
                    move, "complete")

    def _updates(self, first, last, cadence, commander):
        """Status updates between triage and containment (or resolution): the customer
        ones at roughly the severity's cadence, one internal with the talk track and an
        executive one for the worst."""
        plan, rng, scenario = self.plan, self.rng, self.plan.scenario
        if cadence is None:
            return
        progress = scenario["customer_updates"][:-1] or scenario["customer_updates"]
        when = first + _between(rng, 2 * M, 10 * M)
        for body in progress[:UPDATES_BEFORE_CONTAINMENT[plan.severity]]:
            if when >= last:
                break
            self.at(when, self._update, Audience.CUSTOMER, self.text(body), commander)
            when += cadence + _between(rng, -5 * M, 10 * M)
        if scenario["talk_track"]:
            self.at(first + _between(rng, 1 * M, 15 * M), self._update, Audience.INTERNAL,
                    "Agent talk track approved — please use this wording:\n\n> "
                    + self.text(scenario["talk_track"]), commander)
        if scenario["executive"] and (plan.severity == "SEV1" or (
                plan.severity == "SEV2" and rng.random() < 0.5)):
            self.at(first + _between(rng, 10 * M, 30 * M), self._update, Audience.EXECUTIVE,
                    self.text(scenario["executive"]), commander)

    def _update(self, at, audience, body, by):
        services.status_update_post(
            incident=self.incident, by=by, audience=audience, body=body,
            channels=[self.channels[key] for key in self.plan.channels], at=at)

    def _note(self, at, text, pinned):
        # incident_add_note writes "now"; the timeline helper takes the instant.
        services.timeline_add(self.incident, TimelineKind.NOTE, self.text(text),
                              by=self.user(self.plan.commander), at=at, pinned=pinned)

    def _live_touches(self):
        """What people did on the live incidents in the last minutes (written now):
        the approved talk track on the incident, a communications lead."""
        incident = Incident.objects.get(pk=self.incident.pk)
        if incident.state not in ("declared", "triaged", "contained"):
            return
        commander = self.user(self.plan.commander)
        talk_track = self.text(self.plan.scenario["talk_track"])
        if talk_track:
            services.incident_edit(incident=incident, by=commander, talk_track=talk_track)
        if incident.severity and incident.severity.rank <= services.PAGING_SEVERITY_RANK:
            services.incident_assign_role(incident=incident, by=commander,
                                          role=IncidentRole.COMMUNICATIONS_LEAD,
                                          user=self.user("escalation"))


def _number(text):
    return int(text.replace(",", "")) if text else None
