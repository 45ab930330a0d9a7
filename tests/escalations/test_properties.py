"""Properties of escalation clocks and free text, against slow obvious oracles.

* Time spent awaiting the customer never counts toward a clock the policy pauses,
  on a business calendar (minute by minute oracle).
* No valid card number typed into an escalation reaches the database, in any field,
  its timeline or its history.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.clocks import clock_elapsed
from escalations import services
from escalations.clock_kinds import RESOLUTION_CLOCK
from escalations.models import Escalation
from tests.escalations.support import clock_map

pytestmark = pytest.mark.django_db

# Monday 2 March 2026 00:00 UTC: London is on GMT (= UTC) until 29 March.
WEEK = datetime(2026, 3, 2, tzinfo=UTC)
STEP = timedelta(minutes=15)


def office_minutes(start, end):
    """Business time between two instants on Mon–Fri 09:00–17:00 (UTC in March), by
    walking it a quarter of an hour at a time."""
    total, moment = timedelta(0), start
    while moment < end:
        if moment.weekday() < 5 and 9 <= moment.hour < 17:
            total += STEP
        moment += STEP
    return total


# Alternating stretches (in quarter hours): worked, awaiting the customer, worked, …
stretches = st.lists(st.integers(min_value=1, max_value=4 * 30), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(min_value=0, max_value=4 * 24 * 4), spans=stretches)
def test_awaiting_the_customer_never_counts_toward_a_pausing_clock(
        offset, spans, lead, customer, policy, office):
    policy.calendar = office
    policy.pause_cap = None
    policy.save()
    start = WEEK + STEP * offset
    escalation = services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P2", summary="Property",
        owner=lead, at=start)
    services.escalation_triage(escalation=escalation, by=lead, at=start)
    moment, expected, awaiting = start, timedelta(0), False
    for quarters in spans:
        end = moment + STEP * quarters
        if awaiting:
            services.escalation_await_customer(escalation=escalation, by=lead,
                                               reason="Waiting", at=moment)
            services.escalation_customer_replied(escalation=escalation, by=lead, at=end)
        else:
            expected += office_minutes(moment, end)
        moment, awaiting = end, not awaiting
    clock = clock_map(escalation)[RESOLUTION_CLOCK]
    assert clock_elapsed(clock, now=moment) == expected


def luhn_complete(body: str) -> str:
    """Append the check digit that makes ``body`` pass the Luhn check."""
    total = 0
    for index, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


@st.composite
def card_numbers(draw):
    """A Luhn-valid number of 13–19 digits, written as people type it."""
    length = draw(st.integers(min_value=13, max_value=19))
    prefix = draw(st.sampled_from(["4", "51", "55", "34", "37", "6011", "35"]))
    rest = draw(st.text(alphabet="0123456789", min_size=length - len(prefix) - 1,
                        max_size=length - len(prefix) - 1))
    number = luhn_complete(prefix + rest)
    separator = draw(st.sampled_from(["", " ", "-"]))
    groups = [number[i:i + 4] for i in range(0, len(number), 4)]
    return number, separator.join(groups)


def database_text():
    """Everything the escalation tables hold, as the database holds it."""
    tables = [Escalation._meta.db_table, Escalation.history.model._meta.db_table,
              "escalations_escalationtimelineevent",
              "escalations_historicalescalationtimelineevent"]
    values = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
            values += [str(value) for row in cursor.fetchall() for value in row]
    return " ".join(values).replace(" ", "").replace("-", "")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(card=card_numbers())
def test_no_card_number_typed_into_an_escalation_reaches_the_database(card, lead, customer):
    digits, typed = card
    escalation = services.escalation_create(
        by=lead, customer=customer, category="billing", priority="P3",
        summary=f"Card {typed} charged twice", description=f"Customer read out {typed}.",
        requested_outcome=f"Refund to {typed}", owner=lead)
    services.escalation_add_note(escalation=escalation, by=lead, text=f"Card: {typed}")
    services.escalation_edit(escalation=escalation, by=lead, description=f"Again {typed}")
    assert digits not in database_text()
    assert escalation.timeline.filter(text__contains="masked to the last four").exists()
