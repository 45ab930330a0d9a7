"""Downtime derived from incidents (against a minute-by-minute oracle on the real
tables), the facts other apps read, and the lists' notice windows."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.models import Incident
from vendors import services
from vendors.choices import DowntimeEnd, ExclusionKind
from vendors.models import Contract, DowntimeExclusion, VendorAttribution
from vendors.selectors import (
    contracts_needing_attention,
    downtime_by_vendor,
    notice_window_filter,
    vendor_downtime_year,
    vendor_keys_for,
)

pytestmark = pytest.mark.django_db

ORIGIN = datetime(2026, 1, 30, 20, 0, tzinfo=UTC)  # two days before a month end
NOW = ORIGIN + timedelta(days=4)
M = timedelta(minutes=1)
YEAR = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def make_incident(by, *, start, contained=None, resolved=None, state=None, number=[0]):  # noqa: B006
    number[0] += 1
    state = state or ("resolved" if resolved else "contained" if contained else "triaged")
    return Incident.objects.create(reference=f"INC-T-{number[0]}", title=f"Outage {number[0]}",
                                   declared_by=by, declared_at=start, contained_at=contained,
                                   resolved_at=resolved, state=state)


def attribute(vendor, incident, by, contract=None):
    return VendorAttribution.objects.create(vendor=vendor, incident=incident, contract=contract,
                                            added_by=by, added_at=incident.declared_at)


def exclude(vendor, by, start, minutes, incident=None):
    return DowntimeExclusion.objects.create(
        vendor=vendor, incident=incident, kind=ExclusionKind.FORCE_MAJEURE, starts_at=start,
        ends_at=start + minutes * M, reason="Storm", tagged_by=by, tagged_at=start)


def minutes_of(downtime):
    return {month.month: round(seconds / 60) for month, seconds in downtime.months.items()}


@pytest.fixture
def contract(victor, carrier):
    return services.contract_create(by=victor, vendor=carrier, title="SIP",
                                    start_date=date(2025, 1, 1), end_date=date(2027, 12, 31),
                                    owner=victor, renewal_type="explicit")


def test_overlapping_incidents_count_once(carrier, victor, contract):
    services.contract_activate(contract=contract, by=victor)
    first = make_incident(victor, start=ORIGIN, resolved=ORIGIN + 60 * M)
    second = make_incident(victor, start=ORIGIN + 30 * M, resolved=ORIGIN + 90 * M)
    attribute(carrier, first, victor)
    attribute(carrier, second, victor)

    downtime = downtime_by_vendor([carrier.pk], start=YEAR[0], end=YEAR[1], now=NOW)[carrier.pk]

    assert downtime.minutes == 90
    assert [row.minutes for row in downtime.incidents] == [60, 60]


def test_exclusions_subtract_vendor_wide_or_for_their_incident_only(carrier, victor):
    first = make_incident(victor, start=ORIGIN, resolved=ORIGIN + 60 * M)
    second = make_incident(victor, start=ORIGIN + 30 * M, resolved=ORIGIN + 90 * M)
    attribute(carrier, first, victor)
    attribute(carrier, second, victor)
    exclude(carrier, victor, ORIGIN + 80 * M, 30)  # everyone: the last 10 minutes
    exclude(carrier, victor, ORIGIN, 45, incident=first)  # only the first incident

    downtime = downtime_by_vendor([carrier.pk], start=YEAR[0], end=YEAR[1], now=NOW)[carrier.pk]

    # First counts 45–60, second 30–80: together 30–80.
    assert downtime.minutes == 50
    assert [row.minutes for row in downtime.incidents] == [15, 50]


def test_the_contract_says_whether_containment_or_resolution_ends_the_downtime(
        carrier, victor, contract):
    incident = make_incident(victor, start=ORIGIN, contained=ORIGIN + 20 * M,
                             resolved=ORIGIN + 200 * M)
    attribute(carrier, incident, victor)
    services.contract_activate(contract=contract, by=victor)

    resolved = vendor_downtime_year(carrier, now=NOW)
    Contract.objects.filter(pk=contract.pk).update(downtime_counts_until=DowntimeEnd.CONTAINED)
    contained = vendor_downtime_year(carrier, now=NOW)

    assert (resolved.minutes, contained.minutes) == (200, 20)


def test_open_incidents_count_until_now_and_cancelled_ones_not_at_all(carrier, victor):
    attribute(carrier, make_incident(victor, start=NOW - 50 * M), victor)
    attribute(carrier, make_incident(victor, start=ORIGIN, state="cancelled"), victor)

    downtime = downtime_by_vendor([carrier.pk], start=YEAR[0], end=YEAR[1], now=NOW)[carrier.pk]

    assert downtime.minutes == 50
    assert downtime.incidents[0].ongoing


def test_minutes_split_by_utc_month(carrier, victor):
    attribute(carrier, make_incident(victor, start=datetime(2026, 1, 31, 23, 0, tzinfo=UTC),
                                     resolved=datetime(2026, 2, 1, 1, 0, tzinfo=UTC)), victor)
    downtime = downtime_by_vendor([carrier.pk], start=YEAR[0], end=YEAR[1], now=NOW)[carrier.pk]
    assert minutes_of(downtime) == {1: 60, 2: 60}


def test_downtime_for_many_vendors_is_three_queries(carrier, victor,
                                                    django_assert_num_queries):
    other = services.vendor_create(by=victor, name="Telvia", category="carrier")
    for vendor in (carrier, other):
        for hour in range(3):
            attribute(vendor, make_incident(victor, start=ORIGIN + hour * 60 * M,
                                            resolved=ORIGIN + (hour * 60 + 10) * M), victor)
    with django_assert_num_queries(3):
        result = downtime_by_vendor([carrier.pk, other.pk], start=YEAR[0], end=YEAR[1], now=NOW)
    assert [result[v.pk].minutes for v in (carrier, other)] == [30, 30]


# A property: whatever the incidents, stage times, contract rule and exclusions, the
# selector agrees with counting minute by minute.
incident_plans = st.lists(st.tuples(
    st.integers(0, 3 * 24 * 60),  # start, minutes after ORIGIN
    st.integers(1, 600),  # until contained
    st.one_of(st.none(), st.integers(0, 600)),  # then until resolved (None: still open)
    st.booleans(),  # cancelled
), min_size=1, max_size=5)
windows = st.lists(st.tuples(st.integers(0, 3 * 24 * 60), st.integers(1, 300)), max_size=3)


@given(incident_plans, st.sampled_from(DowntimeEnd.values), windows,
       st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3 * 24 * 60),
                          st.integers(1, 300)), max_size=3))
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_downtime_matches_counting_minute_by_minute(carrier, victor, contract, plans,
                                                   counts_until, vendor_wide, own):
    with transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(downtime_counts_until=counts_until)
        incidents = []
        for start, to_contain, to_resolve, cancelled in plans:
            declared = ORIGIN + start * M
            contained = declared + to_contain * M
            resolved = None if to_resolve is None else contained + to_resolve * M
            if contained > NOW:
                contained = None if resolved is None or resolved > NOW else contained
            if resolved is not None and resolved > NOW:
                resolved = None
            incident = make_incident(victor, start=declared, contained=contained,
                                     resolved=resolved,
                                     state="cancelled" if cancelled else None)
            attribute(carrier, incident, victor, contract=contract)
            incidents.append(incident)
        for start, length in vendor_wide:
            exclude(carrier, victor, ORIGIN + start * M, length)
        own = [(i, s, n) for i, s, n in own if i < len(incidents)]
        for index, start, length in own:
            exclude(carrier, victor, ORIGIN + start * M, length, incident=incidents[index])

        downtime = downtime_by_vendor([carrier.pk], start=YEAR[0], end=YEAR[1],
                                      now=NOW)[carrier.pk]
        expected = oracle_from_rows(incidents, counts_until, vendor_wide, own)
        assert {k: v for k, v in minutes_of(downtime).items() if v} == expected
        transaction.set_rollback(True)


def oracle_from_rows(incidents, counts_until, vendor_wide, own):
    """The oracle over what was stored (stage times clipped to now as the rows hold them)."""
    total = 4 * 24 * 60
    counted = {}
    for minute in range(total):
        if any(s <= minute < s + n for s, n in vendor_wide):
            continue
        instant = ORIGIN + minute * M
        for index, incident in enumerate(incidents):
            if incident.state == "cancelled":
                continue
            stop = incident.contained_at if counts_until == DowntimeEnd.CONTAINED else None
            stop = stop or incident.resolved_at or NOW
            if incident.declared_at <= instant < stop and not any(
                    i == index and s <= minute < s + n for i, s, n in own):
                counted[instant.month] = counted.get(instant.month, 0) + 1
                break
    return counted


# --- Facts and lists -----------------------------------------------------------------------


def test_vendor_keys_are_the_ids_and_categories_named(carrier, victor):
    crm = services.vendor_create(by=victor, name="Orbit CRM", category="crm")
    incident = make_incident(victor, start=ORIGIN)
    attribute(carrier, incident, victor)
    attribute(crm, incident, victor)
    assert vendor_keys_for(incident) == {"vendor_ids": {carrier.pk, crm.pk},
                                         "vendor_categories": {"carrier", "crm"}}
    assert vendor_keys_for(make_incident(victor, start=ORIGIN)) == {
        "vendor_ids": set(), "vendor_categories": set()}


@pytest.fixture
def contracts(make_contract):
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        return {
            "soon": make_contract(end_date=date(2026, 6, 10)),  # notice 12 Mar
            "later": make_contract(end_date=date(2026, 8, 25)),  # notice 27 May
            "missed": make_contract(end_date=date(2026, 5, 20)),  # notice 19 Feb
            "far": make_contract(end_date=date(2027, 12, 31)),
            "draft": make_contract(activate=False, end_date=date(2026, 6, 1)),
        }


def refs(queryset, contracts):
    names = {c.pk: name for name, c in contracts.items()}
    return sorted(names[pk] for pk in queryset.values_list("pk", flat=True))


def test_notice_windows(contracts):
    today = date(2026, 3, 2)
    def window(name):  # noqa: E306
        return refs(Contract.objects.filter(notice_window_filter(name, today)), contracts)

    assert window("30") == ["soon"]
    assert window("90") == ["later", "soon"]
    assert window("entered") == ["later", "soon"]
    assert window("overdue") == ["missed"]


def test_what_needs_attention(contracts, victor):
    services.contract_decide(contract=contracts["later"], by=victor, decision="exit",
                             reason="Moving to the CCaaS SMS")
    attention = contracts_needing_attention(date(2026, 3, 2))
    assert [c.pk for c in attention.overdue] == [contracts["missed"].pk]
    assert [c.pk for c in attention.window] == [contracts["soon"].pk, contracts["later"].pk]
    assert [c.pk for c in attention.exit_without_notice] == [contracts["later"].pk]


def test_the_call_list_is_noc_and_escalation_or_else_the_support_desk(carrier, victor):
    from vendors.selectors import attributions_for

    bot = services.vendor_create(by=victor, name="Parley AI", category="chatbot")
    services.contact_save(vendor=bot, by=victor, name="Parley support", role="support_desk",
                          email="support@parley.example")
    services.contact_save(vendor=carrier, by=victor, name="Northwind desk", role="support_desk",
                          phone="+44 20 7946 0009")
    incident = make_incident(victor, start=ORIGIN)
    attribute(carrier, incident, victor)
    attribute(bot, incident, victor)

    calls = {a.vendor.name: [c.name for c in a.vendor.call_list]
             for a in attributions_for(incident)}

    assert calls == {"Northwind Telecom": ["Northwind NOC", "Duty manager"],
                     "Parley AI": ["Parley support"]}
