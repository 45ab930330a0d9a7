"""Incident metrics and dashboard reads: exact figures, groupings, query counts, and a
property test against a slow Python oracle over the same rows."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.choices import Role
from incidents import services
from incidents.choices import IncidentState, PostMortemState
from incidents.models import Channel, Incident, PostMortem, Severity
from incidents.selectors import (
    incident_metrics,
    incidents_for_dashboard,
    open_incidents_by_severity,
)

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)
M = timedelta(minutes=1)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_references = itertools.count(1)


def make_incident(by, *, severity=None, channels=(), declared_at=T0, triaged=None,
                  contained=None, resolved=None, published=None, state=None):
    """An incident row with the given stage durations (from declaration; published
    from resolution), written directly: the selectors only read rows."""

    def after(start, delta):
        return start + delta if start is not None and delta is not None else None

    resolved_at = after(declared_at, resolved)
    incident = Incident.objects.create(
        reference=f"T-{next(_references)}", title="Test", severity=severity,
        declared_by=by, declared_at=declared_at,
        triaged_at=after(declared_at, triaged), contained_at=after(declared_at, contained),
        resolved_at=resolved_at,
        state=state or (IncidentState.RESOLVED if resolved is not None else
                        IncidentState.CONTAINED if contained is not None else
                        IncidentState.TRIAGED if triaged is not None else
                        IncidentState.DECLARED),
    )
    incident.channels.set(channels)
    if published is not None:
        PostMortem.objects.create(incident=incident, author=by, state=PostMortemState.PUBLISHED,
                                  published_at=resolved_at + published)
    return incident


@pytest.fixture
def sevs(db):
    return {s.key: s for s in Severity.objects.all()}


@pytest.fixture
def chans(db):
    return {c.key: c for c in Channel.objects.all()}


def by_key(rows):
    return {row.key: row for row in rows}


# --- Hand-made incidents: exact figures ------------------------------------------------


def test_means_over_the_incidents_lifecycle_built_by_the_services(manager, sevs, chans,
                                                                   make_user):
    """Two incidents run through the real services at known instants."""
    reviewer = make_user(Role.MANAGER, username="second-pair-of-eyes")
    first = services.incident_declare(by=manager, title="IVR down", severity=sevs["SEV1"],
                                      commander=manager, channels=[chans["ivr"]], at=T0)
    services.incident_triage(incident=first, by=manager, at=T0 + 10 * M)
    services.incident_contain(incident=first, by=manager, summary="Failover", at=T0 + H)
    services.incident_resolve(incident=first, by=manager, summary="Fixed", at=T0 + 3 * H)
    services.incident_start_postmortem(incident=first, by=manager, at=T0 + 4 * H)
    postmortem = first.postmortem
    services.postmortem_edit(postmortem=postmortem, by=manager, summary="s", root_cause="r",
                             reviewer=reviewer)
    services.postmortem_transition(postmortem=postmortem, by=manager, name="submit",
                                   at=T0 + 2 * 24 * H)
    services.postmortem_transition(postmortem=postmortem, by=reviewer, name="publish",
                                   at=T0 + 3 * 24 * H + 3 * H)

    start = T0 + 24 * H
    second = services.incident_declare(by=manager, title="Chat slow", severity=sevs["SEV1"],
                                       commander=manager, channels=[chans["chat"]], at=start)
    services.incident_triage(incident=second, by=manager, at=start + 20 * M)
    # Resolved without a separate containment: resolving also ends the impact.
    services.incident_resolve(incident=second, by=manager, summary="Fixed", at=start + 5 * H)

    metrics = incident_metrics()

    overall = metrics.overall
    assert overall.incidents == 2
    assert overall.time_to_triage == 15 * M
    assert overall.time_to_contain == 3 * H
    assert overall.time_to_resolve == 4 * H
    assert overall.postmortem_lead_time == 3 * 24 * H
    assert (overall.triaged, overall.contained, overall.resolved, overall.postmortems) == (
        2, 2, 2, 1)
    assert overall.formatted == {"time_to_triage": "15m", "time_to_contain": "3h",
                                 "time_to_resolve": "4h", "postmortem_lead_time": "3d"}


def test_grouped_by_severity_channel_and_month(manager, sevs, chans):
    voice, ivr, chat = chans["voice"], chans["ivr"], chans["chat"]
    make_incident(manager, severity=sevs["SEV1"], channels=[voice, ivr],
                  declared_at=T0, triaged=10 * M, contained=H, resolved=2 * H,
                  published=48 * H)
    make_incident(manager, severity=sevs["SEV1"], channels=[voice],
                  declared_at=T0 + 24 * H, triaged=30 * M, contained=3 * H)
    make_incident(manager, severity=sevs["SEV3"], channels=[chat],
                  declared_at=datetime(2026, 5, 20, tzinfo=UTC), triaged=2 * H,
                  contained=4 * H, resolved=10 * H)
    # Left out everywhere: cancelled (a false alarm says nothing about response times).
    make_incident(manager, severity=sevs["SEV1"], channels=[voice], declared_at=T0,
                  triaged=5 * H, state=IncidentState.CANCELLED)

    metrics = incident_metrics()

    severity = by_key(metrics.by_severity)
    assert list(severity) == ["SEV1", "SEV2", "SEV3", "SEV4"]  # every severity, by rank
    assert severity["SEV1"].incidents == 2
    assert severity["SEV1"].colour == sevs["SEV1"].colour
    assert severity["SEV1"].time_to_triage == 20 * M
    assert severity["SEV1"].time_to_contain == 2 * H
    assert severity["SEV1"].time_to_resolve == 2 * H  # only the resolved one
    assert severity["SEV1"].resolved == 1
    assert severity["SEV1"].postmortem_lead_time == 48 * H
    assert severity["SEV2"].incidents == 0
    assert severity["SEV2"].time_to_triage is None
    assert severity["SEV2"].formatted["time_to_triage"] == "—"
    assert severity["SEV3"].time_to_resolve == 10 * H

    channel = by_key(metrics.by_channel)
    assert list(channel) == [c.key for c in Channel.objects.filter(active=True)]
    assert channel["voice"].incidents == 2
    assert channel["voice"].time_to_triage == 20 * M
    assert channel["ivr"].incidents == 1  # an incident counts in each of its channels
    assert channel["ivr"].time_to_triage == 10 * M
    assert channel["chat"].time_to_contain == 4 * H
    assert channel["email"].incidents == 0

    assert [(row.key, row.label, row.incidents) for row in metrics.by_month] == [
        (date(2026, 3, 1), "Mar 2026", 2),
        (date(2026, 4, 1), "Apr 2026", 0),  # no gaps
        (date(2026, 5, 1), "May 2026", 1),
    ]
    assert metrics.by_month[0].time_to_triage == 20 * M
    assert metrics.by_month[2].time_to_triage == 2 * H


def test_window_counts_incidents_declared_in_it(manager, sevs):
    make_incident(manager, severity=sevs["SEV2"], declared_at=T0, triaged=H)
    make_incident(manager, severity=sevs["SEV2"], declared_at=T0 + 10 * 24 * H, triaged=3 * H)

    metrics = incident_metrics(since=T0 + 24 * H, until=T0 + 30 * 24 * H)

    assert metrics.overall.incidents == 1
    assert metrics.overall.time_to_triage == 3 * H
    # The months of the window are listed even without incidents in them.
    assert [row.key for row in metrics.by_month] == [date(2026, 3, 1), date(2026, 4, 1)]
    assert incident_metrics(until=T0).overall.incidents == 0  # until is exclusive


def test_postmortem_published_before_a_reopened_incident_was_resolved_again_is_ignored(
        manager, sevs):
    make_incident(manager, severity=sevs["SEV1"], triaged=M, resolved=H, published=-M)
    make_incident(manager, severity=sevs["SEV1"], triaged=M, resolved=H, published=2 * H)

    overall = incident_metrics().overall

    assert overall.postmortems == 1
    assert overall.postmortem_lead_time == 2 * H


def test_no_incidents_no_figures(db):
    metrics = incident_metrics()
    assert metrics.overall.incidents == 0
    assert metrics.overall.time_to_resolve is None
    assert metrics.by_month == []


def test_only_the_groupings_asked_for(manager, sevs, django_assert_num_queries):
    make_incident(manager, severity=sevs["SEV2"], triaged=H)
    with django_assert_num_queries(2):
        metrics = incident_metrics(groups=("severity",))
    assert metrics.by_severity and not metrics.by_channel and not metrics.by_month
    with pytest.raises(ValueError, match="week"):
        incident_metrics(groups=("week",))


@pytest.mark.parametrize("count", [1, 25])
def test_metrics_take_four_queries_whatever_the_number_of_incidents(
        count, manager, sevs, chans, django_assert_num_queries):
    for n in range(count):
        make_incident(manager, severity=sevs[f"SEV{n % 4 + 1}"],
                      channels=[chans["voice"], chans["chat"]],
                      declared_at=T0 + n * 7 * 24 * H, triaged=M * n, contained=H,
                      resolved=2 * H, published=24 * H)
    with django_assert_num_queries(4):
        incident_metrics()


# --- Open incidents for the dashboard ------------------------------------------------------


def test_open_incidents_by_severity_counts_only_open_ones(manager, sevs):
    make_incident(manager, severity=sevs["SEV1"])  # declared
    make_incident(manager, severity=sevs["SEV1"], triaged=M, contained=H)  # contained
    make_incident(manager, severity=sevs["SEV2"], triaged=M)
    make_incident(manager, severity=sevs["SEV2"], triaged=M, resolved=H)  # resolved: not open
    make_incident(manager, severity=sevs["SEV3"], state=IncidentState.CANCELLED)
    make_incident(manager)  # declared without a severity yet

    counts = [(c.severity.key if c.severity else None, c.count)
              for c in open_incidents_by_severity()]

    assert counts == [("SEV1", 2), ("SEV2", 1), ("SEV3", 0), ("SEV4", 0), (None, 1)]


def test_incidents_for_dashboard_lists_open_ones_newest_first(manager, sevs):
    old = make_incident(manager, severity=sevs["SEV2"], declared_at=T0)
    new = make_incident(manager, severity=sevs["SEV3"], declared_at=T0 + H, triaged=M)
    make_incident(manager, severity=sevs["SEV1"], declared_at=T0 + 2 * H, triaged=M,
                  resolved=H)
    assert incidents_for_dashboard() == [new, old]
    assert incidents_for_dashboard(limit=1) == [new]


def test_incidents_for_dashboard_queries_do_not_grow(manager, sevs, chans,
                                                     django_assert_num_queries):
    for n in range(12):
        make_incident(manager, severity=sevs["SEV2"], channels=[chans["sms"]],
                      declared_at=T0 + n * H, triaged=M)
    with django_assert_num_queries(2):  # incidents with severity and commander; channels
        incidents = incidents_for_dashboard()
        assert [c.key for c in incidents[0].channels.all()] == ["sms"]


# --- Property test: the database agrees with a slow, obvious Python computation --------------

STAGES = {
    "time_to_triage": ("declared_at", "triaged_at"),
    "time_to_contain": ("declared_at", "contained_at"),
    "time_to_resolve": ("declared_at", "resolved_at"),
    "postmortem_lead_time": ("resolved_at", "published_at"),
}


def oracle(incidents, since, until):
    """Plain Python over plain dicts: which incidents count, then the mean per stage."""

    def counted(rows):
        return [r for r in rows if r["state"] != IncidentState.CANCELLED
                and (since is None or r["declared_at"] >= since)
                and (until is None or r["declared_at"] < until)]

    def means(rows):
        result = {"incidents": len(rows)}
        for name, (start, end) in STAGES.items():
            durations = [r[end] - r[start] for r in rows
                         if r[start] is not None and r[end] is not None and r[end] >= r[start]]
            total = timedelta(0)
            for duration in durations:
                total += duration
            result[name] = total / len(durations) if durations else None
            result[f"{name}_n"] = len(durations)
        return result

    rows = counted(incidents)
    months = {}
    for r in rows:
        months.setdefault(timezone.localtime(r["declared_at"]).date().replace(day=1), []).append(r)
    return {
        "overall": means(rows),
        "severity": {key: means([r for r in rows if r["severity"] == key])
                     for key in ["SEV1", "SEV2", "SEV3", "SEV4"]},
        "channel": {key: means([r for r in rows if key in r["channels"]])
                    for key in Channel.objects.values_list("key", flat=True)},
        "month": {month: means(month_rows) for month, month_rows in months.items()},
    }


def close_enough(a, b):
    # SQLite averages microseconds as a float, PostgreSQL divides intervals: both may
    # round differently from Python's exact timedelta arithmetic by a microsecond or so.
    if a is None or b is None:
        return a is b
    return abs(a - b) <= timedelta(milliseconds=1)


def assert_row(row, expected):
    assert row.incidents == expected["incidents"]
    for name in STAGES:
        assert close_enough(getattr(row, name), expected[name]), (name, row, expected)
    assert (row.triaged, row.contained, row.resolved, row.postmortems) == tuple(
        expected[f"{name}_n"] for name in STAGES)


durations = st.one_of(st.none(), st.integers(0, 20 * 24 * 3600 * 10**6).map(
    lambda us: timedelta(microseconds=us)))
incident_rows = st.fixed_dictionaries({
    "offset": st.integers(0, 200 * 24 * 3600),  # seconds after the first instant
    "severity": st.sampled_from([None, "SEV1", "SEV2", "SEV3", "SEV4"]),
    "channels": st.sets(st.sampled_from(["voice", "ivr", "chat", "email", "bot"]), max_size=3),
    "state": st.sampled_from(IncidentState.values),
    "triaged": durations,
    "contained": durations,
    "resolved": durations,
    # Published possibly before resolution (a reopened incident): not a lead time.
    "published": st.one_of(st.none(), st.integers(-3 * 24 * 3600, 30 * 24 * 3600).map(
        lambda s: timedelta(seconds=s))),
})
windows = st.tuples(st.one_of(st.none(), st.integers(0, 200)),
                    st.one_of(st.none(), st.integers(0, 200)))


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(incident_rows, max_size=12), window=windows)
def test_metrics_agree_with_a_python_oracle(manager, rows, window):
    sevs = {s.key: s for s in Severity.objects.all()}
    chans = {c.key: c for c in Channel.objects.all()}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    since = start + timedelta(days=window[0]) if window[0] is not None else None
    until = start + timedelta(days=window[1]) if window[1] is not None else None
    plain = []
    # Each example runs in a savepoint rolled back at the end: examples share no rows.
    with transaction.atomic():
        for row in rows:
            declared_at = start + timedelta(seconds=row["offset"])
            published = row["published"] if row["resolved"] is not None else None
            make_incident(manager, severity=sevs.get(row["severity"]),
                          channels=[chans[key] for key in row["channels"]],
                          declared_at=declared_at, triaged=row["triaged"],
                          contained=row["contained"], resolved=row["resolved"],
                          published=published, state=row["state"])

            def after(delta, base=declared_at):
                return base + delta if delta is not None and base is not None else None

            resolved_at = after(row["resolved"])
            plain.append({"declared_at": declared_at, "state": row["state"],
                          "severity": row["severity"], "channels": row["channels"],
                          "triaged_at": after(row["triaged"]),
                          "contained_at": after(row["contained"]),
                          "resolved_at": resolved_at,
                          "published_at": after(published, resolved_at)})

        with CaptureQueriesContext(connection) as queries:
            metrics = incident_metrics(since=since, until=until)
        transaction.set_rollback(True)

    expected = oracle(plain, since, until)
    assert len(queries) == 4
    assert_row(metrics.overall, expected["overall"])
    for row in metrics.by_severity:
        assert_row(row, expected["severity"][row.key])
    for row in metrics.by_channel:
        assert_row(row, expected["channel"][row.key])
    by_month = by_key(metrics.by_month)
    assert set(expected["month"]) <= set(by_month)
    for month, row in by_month.items():
        empty = {"incidents": 0, **{n: None for n in STAGES}, **{f"{n}_n": 0 for n in STAGES}}
        assert_row(row, expected["month"].get(month, empty))
    assert sorted(by_month) == list(by_month)  # in order

