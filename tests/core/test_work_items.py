"""The work-item kernel (core/work_items.py), proven on a kind registered by the test
(the test app's tickets) and on the real incidents and escalations: one
``timeline_add`` signature, facts from the type and from fact sources, and playbooks
reaching items only through the kernel."""

from datetime import timedelta

import pytest
import rules
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404

from core import hooks, work_items
from core.choices import Role
from core.clocks import clock_pause, clock_start
from core.predicates import has_model_perm
from core.work_items import WorkItemType
from escalations import services as escalation_services
from incidents import services as incident_services
from incidents.models import Severity
from playbooks import services as playbook_services
from playbooks.models import PlaybookRun
from tests.testapp.models import Ticket, TicketNote
from vendors import services as vendor_services
from vendors.choices import VendorCategory

pytestmark = pytest.mark.django_db

handed = []  # what the test kind's timeline writer was handed


def _ticket_timeline_add(ticket, kind, text, *, by, at=None, event="", params=None,
                         masked=0):
    handed.append({"kind": kind, "text": text, "event": event, "params": params,
                    "masked": masked, "by": by})
    return TicketNote.objects.create(ticket=ticket, text=text[:300], at=at or ticket_now())


def ticket_now():
    from django.utils import timezone

    return timezone.now()


@pytest.fixture
def ticket_kind():
    """Tickets as a work item for one test; the registries put back afterwards."""
    saved_types = dict(work_items._TYPES)
    saved_sources = list(work_items._FACT_SOURCES)
    handed.clear()
    # The object permission the type names: a rules predicate, as the apps declare theirs.
    rules.add_perm("testapp.work_ticket", has_model_perm("testapp.close_ticket"))
    item_type = work_items.register_work_item(WorkItemType(
        key="ticket", model="testapp.ticket", label="Ticket",
        work_permission="testapp.work_ticket", view_permission="testapp.view_ticket",
        timeline_add=_ticket_timeline_add, people=lambda ticket: [ticket.owner],
        facts=lambda ticket: {"priority": None, "title_words": len(ticket.title.split())},
        finished_states=("closed",)))
    yield item_type
    work_items._TYPES.clear()
    work_items._TYPES.update(saved_types)
    work_items._FACT_SOURCES[:] = saved_sources
    rules.remove_perm("testapp.work_ticket")


@pytest.fixture
def ticket(manager):
    return Ticket.objects.create(title="VIP complaint", owner=manager)


# --- Finding the type ------------------------------------------------------------------


def test_a_registered_kind_is_found_by_key_and_by_object(ticket_kind, ticket):
    assert work_items.work_item_type_of(ticket) is ticket_kind
    assert work_items.work_item_type("ticket") is ticket_kind
    assert work_items.is_work_item(ticket)
    assert work_items.get_work_item("ticket", ticket.pk) == ticket


@pytest.mark.parametrize(("key", "pk"), [("ticket", 0), ("no-such-kind", 1)])
def test_an_unknown_item_or_kind_is_a_404(ticket_kind, ticket, key, pk):
    with pytest.raises(Http404):
        work_items.get_work_item(key, pk)


def test_an_unregistered_model_is_not_a_work_item(ticket):
    assert not work_items.is_work_item(ticket)
    with pytest.raises(LookupError, match="testapp.ticket"):
        work_items.work_item_type_of(ticket)


def test_may_work_asks_the_permission_the_type_names(ticket_kind, ticket, make_user):
    from django.contrib.auth.models import Permission

    allowed, refused = make_user(Role.VIEWER, username="al"), make_user(Role.VIEWER,
                                                                        username="re")
    allowed.user_permissions.add(Permission.objects.get(codename="close_ticket"))
    allowed = type(allowed).objects.get(pk=allowed.pk)  # a fresh permission cache

    assert work_items.may_work(allowed, ticket)
    assert not work_items.may_work(refused, ticket)


def test_finished_is_the_types_finished_states(ticket_kind, ticket):
    assert not work_items.is_finished(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(state="closed")
    assert work_items.is_finished(Ticket.objects.get(pk=ticket.pk))


def test_responsible_people_are_the_active_people_of_the_type(ticket_kind, ticket, manager):
    assert work_items.responsible_people(ticket) == [manager]
    manager.is_active = False
    assert work_items.responsible_people(ticket) == []


# --- One timeline_add --------------------------------------------------------------------


def test_a_typed_entry_is_worded_and_handed_to_the_types_writer(ticket_kind, ticket, manager):
    note = work_items.timeline_add(ticket, "transition", event="state-changed",
                                   params={"state": "resolved", "label": "Resolved",
                                           "detail": "Refund sent"}, by=manager)

    assert note.text == "Resolved: Refund sent"
    assert handed == [{"kind": "transition", "text": "Resolved: Refund sent",
                        "event": "state-changed", "by": manager, "masked": 0,
                        "params": {"state": "resolved", "label": "Resolved",
                                   "detail": "Refund sent"}}]


def test_card_numbers_in_params_are_masked_before_the_writer_sees_them(ticket_kind, ticket,
                                                                       manager):
    work_items.timeline_add(ticket, "note", event="state-changed",
                            params={"state": "open", "label": "Called",
                                    "detail": "paid with 4111 1111 1111 1111"},
                            by=manager, masked=1)

    (written,) = handed
    assert written["params"]["detail"] == "paid with [card •••• 1111]"
    assert "4111" not in written["text"]
    assert written["masked"] == 2  # the one found here and the one the caller masked


def test_a_free_text_entry_needs_no_event(ticket_kind, ticket, manager):
    work_items.timeline_add(ticket, "note", "Called the customer back.", by=manager)

    assert handed[0]["event"] == "" and handed[0]["params"] == {}
    assert TicketNote.objects.get().text == "Called the customer back."


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"event": "test-never-registered", "params": {}}, LookupError),
    ({"params": {"state": "x"}}, ValueError),  # params nothing could word
    ({}, ValueError),  # neither text nor event
    ({"event": "state-changed", "params": {"state": "x"}}, ValueError),  # label missing
])
def test_an_entry_that_cannot_be_worded_is_refused_and_nothing_written(
        ticket_kind, ticket, manager, kwargs, error):
    with pytest.raises(error):
        work_items.timeline_add(ticket, "note", by=manager, **kwargs)

    assert handed == []
    assert not TicketNote.objects.exists()


def test_a_clock_pause_reaches_the_timeline_typed_and_a_start_does_not(ticket_kind, ticket,
                                                                       manager):
    clock = clock_start(owner=ticket, kind="testapp.response", target=timedelta(hours=4),
                        by=manager)
    started = clock.events.get()
    clock_pause(clock=clock, reason="Awaiting customer", by=manager)
    paused = clock.events.get(kind="paused")

    assert work_items.timeline_clock_event(ticket, "clock", clock=clock, event=started) is None
    entry = work_items.timeline_clock_event(ticket, "clock", clock=clock, event=paused)

    written = handed[-1]
    assert written["event"] == "clock-paused"
    assert written["params"]["clock"] == "testapp.response"
    assert entry.text == written["text"] == "Response: paused — Awaiting customer"


# --- Facts ---------------------------------------------------------------------------------


def test_facts_come_from_the_type_then_every_fact_source(ticket_kind, ticket):
    work_items.register_fact_source(
        lambda obj: {"queue": "vip"} if isinstance(obj, Ticket) else {})

    assert work_items.playbook_facts(ticket) == {"priority": None, "title_words": 2,
                                                 "queue": "vip"}


def test_the_vendors_app_adds_the_vendors_an_incident_names(make_user, manager):
    victor = make_user(Role.VENDOR_MANAGER, username="victor")
    carrier = vendor_services.vendor_create(by=victor, name="Northwind Telecom",
                                            category=VendorCategory.CARRIER)
    incident = incident_services.incident_declare(
        by=manager, title="Calls failing", severity=Severity.objects.get(key="SEV3"))

    assert work_items.playbook_facts(incident)["vendor_ids"] == set()
    vendor_services.attribution_add(vendor=carrier, by=victor, incident=incident)

    facts = work_items.playbook_facts(incident)
    assert facts["vendor_ids"] == {carrier.pk}
    assert facts["vendor_categories"] == {VendorCategory.CARRIER}
    assert facts["severity_rank"] == 3  # the incident's own facts are still there


def test_attach_rules_read_the_facts_not_the_model(ticket_kind, make_user, manager):
    lead = make_user(Role.ESCALATION_LEAD, username="elena")
    customer = escalation_services.customer_create(
        by=manager, name="Harriet Okafor", account_reference="ACC-1", tier="standard")
    escalation = escalation_services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P3", summary="Twice")
    playbook = playbook_services.playbook_create(by=manager, name="VIP care", kind="escalation",
                                                 slug="vip-care", purpose="VIPs")
    rule = playbook_services.rule_save(playbook=playbook, by=manager, customer_tier="vip")

    assert not playbook_services.rule_matches(rule, escalation)
    # A fact source that knows better (say, a CRM) is what the rule reads.
    work_items.register_fact_source(
        lambda obj: {"customer_tier": "vip"} if obj == escalation else {})
    assert playbook_services.rule_matches(rule, escalation)


# --- Playbooks through the kernel -----------------------------------------------------


def test_a_kind_playbooks_are_not_written_for_is_left_alone(ticket_kind, ticket, manager):
    playbook_services.on_object_changed(sender=Ticket, instance=ticket, by=manager)

    assert not playbook_services.follows_playbooks(ticket)
    assert playbook_services.required_steps_pending(ticket) == []
    assert hooks.close_blockers(ticket) == []
    assert not PlaybookRun.objects.exists()


def test_a_foreign_key_named_after_the_kind_is_found(ticket_kind, ticket, manager):
    # Vendor attributions still hold one foreign key per kind (playbook runs moved to
    # the generic owner key).
    from vendors.models import VendorAttribution

    incident = incident_services.incident_declare(
        by=manager, title="Calls failing", severity=Severity.objects.get(key="SEV3"))

    assert work_items.owner_field(incident, VendorAttribution) == "incident"
    with pytest.raises(FieldDoesNotExist):
        work_items.owner_field(ticket, VendorAttribution)

