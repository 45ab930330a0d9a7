"""Escalation timeline entries are typed (escalations/timeline_events.py): a code and its
facts are stored, and the sentence is built when the entry is drawn."""

from decimal import Decimal

import pytest

from core.timeline import TimelineEventType, event_type, register_event_type
from escalations import services, timeline_events
from escalations.choices import Tier

from .support import at

pytestmark = pytest.mark.django_db


def _last(escalation, code):
    return escalation.timeline.filter(event=code).latest("at", "pk")


@pytest.fixture
def reworded():
    """Re-register a type with other wording for one test (the catalogue is global)."""
    saved = []

    def reword(code, message):
        original = event_type(code)
        saved.append(original)
        register_event_type(TimelineEventType(code, message, params=original.params))

    yield reword
    for original in saved:
        register_event_type(original)


def _name(user):
    return user.get_full_name() or user.username


def test_opening_stores_the_facts_and_words_them_when_drawn(open_escalation, lead, reworded):
    escalation = open_escalation(summary="Billed twice")
    entry = _last(escalation, timeline_events.CREATED)
    assert entry.params == {"by_name": _name(lead), "summary": "Billed twice",
                            "policy": "Default", "policy_version": 1}
    assert entry.render() == entry.text == (f"Escalation opened by {_name(lead)}: Billed "
                                            "twice. SLA policy: Default (v1).")
    reworded(timeline_events.CREATED, "Opened: {summary}")
    assert entry.render() == "Opened: Billed twice"  # the stored row, worded anew
    assert entry.text.startswith("Escalation opened by")  # the fallback stays


def test_a_tier_change_keeps_the_tiers_not_the_sentence(triaged, lead):
    services.escalation_escalate_tier(escalation=triaged, by=lead, reason="Needs billing",
                                      at=at(minutes=5))
    entry = _last(triaged, timeline_events.TIER_ESCALATED)
    assert entry.params == {"from_tier": "L1", "to_tier": "L2", "automatic": False,
                            "by_name": _name(lead), "reason": "Needs billing"}
    assert entry.render() == (f"Escalated to {Tier.L2.label} by {_name(lead)}: Needs billing. "
                              "Waiting for the L2 lead to acknowledge.")


def test_compensation_keeps_the_amount_and_currency(triaged, lead, settings):
    services.escalation_offer_compensation(escalation=triaged, by=lead,
                                           amount=Decimal("120"), note="Goodwill",
                                           at=at(minutes=5))
    entry = _last(triaged, timeline_events.COMPENSATION_OFFERED)
    assert entry.params["amount"] == "120.00"
    assert entry.params["currency"] == settings.SWITCHBOARD_CURRENCY
    assert entry.params["approval"] in {"approved", "needed"}
    assert entry.render().startswith(
        f"Compensation of {settings.SWITCHBOARD_CURRENCY} 120.00 offered: Goodwill (")


def test_an_edit_lists_the_fields_changed(triaged, lead):
    services.escalation_edit(escalation=triaged, by=lead, priority="P1",
                             description="More detail", at=at(minutes=5))
    entry = _last(triaged, timeline_events.EDITED)
    assert entry.params == {"changes": [{"field": "description"},
                                        {"field": "priority", "old": "P2", "new": "P1"}]}
    assert entry.render() == "Edited: description; priority P2 → P1."


def test_a_customer_update_is_typed_and_masks_card_numbers(triaged, lead):
    services.escalation_add_note(escalation=triaged, by=lead, customer_update=True,
                                 text="Refund of card 4111 1111 1111 1111 sent", at=at(minutes=5))
    entry = _last(triaged, timeline_events.CUSTOMER_UPDATED)
    assert "4111 1111 1111 1111" not in entry.params["message"]
    assert entry.render() == entry.params["message"]
    masked = triaged.timeline.get(event="card-numbers-masked")
    assert masked.render() == "1 card number(s) masked to the last four digits."
