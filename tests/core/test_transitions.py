"""The transition plumbing, exercised through the test-only Ticket model."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from core.exceptions import RequirementMissing, TransitionNotAllowed
from core.transitions import allowed_transitions, perform_transition
from tests.testapp import services
from tests.testapp.models import Ticket, TicketState

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    return Ticket.objects.create(title="IVR loops on option 3")


def test_transition_saves_state_and_records_actor_and_reason(ticket, manager):
    ticket.owner = manager
    ticket.save()

    services.ticket_transition(ticket_id=ticket.pk, name="start", by=manager, reason="On it")

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.state == TicketState.IN_PROGRESS
    latest = stored.history.first()
    assert latest.history_user == manager
    assert latest.history_change_reason == "On it"
    assert latest.state == TicketState.IN_PROGRESS


def test_impossible_transition_lists_the_allowed_ones(ticket, manager):
    with pytest.raises(TransitionNotAllowed) as refused:
        services.ticket_transition(ticket_id=ticket.pk, name="close", by=manager, reason="x")

    assert refused.value.current_state == TicketState.OPEN
    assert refused.value.allowed == ["resolve", "start"]
    assert "Allowed now: resolve, start" in str(refused.value)
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.OPEN


def test_unknown_transition_name_is_refused_like_an_impossible_one(ticket, manager):
    with pytest.raises(TransitionNotAllowed) as refused:
        perform_transition(ticket, "explode", by=manager, reason="x")
    assert refused.value.transition == "explode"


def test_missing_requirement_names_the_field(ticket, manager):
    with pytest.raises(RequirementMissing) as refused:
        services.ticket_transition(ticket_id=ticket.pk, name="start", by=manager, reason="x")

    assert refused.value.errors == {"owner": ["An owner is required to start work."]}
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.OPEN


def test_blank_resolution_is_refused_and_nothing_is_written(ticket, manager):
    with pytest.raises(RequirementMissing):
        services.ticket_resolve(ticket_id=ticket.pk, by=manager, resolution="   ")

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.resolution == ""
    assert stored.history.count() == 1  # only the creation


def test_transition_permission_is_checked(ticket, make_user):
    responder = make_user()
    ticket = services.ticket_resolve(ticket_id=ticket.pk, by=responder, resolution="Fixed")

    with pytest.raises(PermissionDenied):
        services.ticket_transition(ticket_id=ticket.pk, name="close", by=responder, reason="x")
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.RESOLVED


def test_allowed_transitions_respects_the_users_permissions(ticket, make_user, manager):
    ticket = services.ticket_resolve(ticket_id=ticket.pk, by=manager, resolution="Fixed")
    nobody = make_user()
    manager.user_permissions.add(Permission.objects.get(codename="close_ticket"))
    manager = type(manager).objects.get(pk=manager.pk)  # drop the permission cache

    assert allowed_transitions(ticket, nobody) == ["reopen"]
    assert allowed_transitions(ticket, manager) == ["close", "reopen"]


def test_protected_state_cannot_be_assigned_directly(ticket):
    with pytest.raises(AttributeError):
        ticket.state = TicketState.CLOSED


def test_a_role_level_rule_does_not_look_at_the_object_anything_else_does():
    import rules

    from core.predicates import has_model_perm, looks_at_object, perm_checker

    @rules.predicate
    def owns(user, ticket):
        return ticket.owner_id == user.pk

    rules.add_perm("testapp.role_level", has_model_perm("testapp.change_ticket"))
    rules.add_perm("testapp.own_ticket", owns)
    rules.add_perm("testapp.both", has_model_perm("testapp.change_ticket") & owns)
    try:
        assert looks_at_object(perm_checker("testapp.role_level")) is False
        assert looks_at_object(None) is False
        assert looks_at_object(perm_checker("testapp.own_ticket")) is True
        assert looks_at_object(perm_checker("testapp.both")) is True  # combined: *args
        assert looks_at_object(perm_checker("testapp.no_such_rule")) is True
        assert looks_at_object("testapp.close_ticket") is True  # django-fsm's own string
        assert looks_at_object(lambda instance, user: True) is True
    finally:
        for name in ("testapp.role_level", "testapp.own_ticket", "testapp.both"):
            rules.remove_perm(name)


def test_shared_answers_give_each_object_its_own_transitions(manager):
    resolved = Ticket.objects.create(title="Resolved", state=TicketState.RESOLVED)
    opened = Ticket.objects.create(title="Open")
    manager.user_permissions.add(Permission.objects.get(codename="close_ticket"))
    answers = {}
    for ticket in (resolved, opened, resolved):
        assert allowed_transitions(ticket, manager, answers=answers) == \
            allowed_transitions(ticket, manager)
    assert answers == {None: True}  # close's string permission is asked per object
