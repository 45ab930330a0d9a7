"""A list shows each row's allowed transitions as the row's own page would, and asks a
permission that does not depend on the escalation once for the whole page."""

import pytest

from core.choices import Role
from core.transitions import allowed_transitions
from escalations import services
from escalations.models import Escalation
from tests.escalations.support import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalations_in_three_states(open_escalation, lead):
    new = open_escalation()
    triaged = services.escalation_triage(escalation=open_escalation(), by=lead, at=at())
    contained = services.escalation_contain(
        escalation=services.escalation_triage(escalation=open_escalation(), by=lead, at=at()),
        by=lead, note="Refund queued", at=at())
    return [new, triaged, contained]


def _counting_object_checks(user, name):
    """Every ``user.has_perm(name, obj)`` asked about an object."""
    asked = []
    original = user.has_perm

    def has_perm(perm, obj=None):
        if perm == name and obj is not None:
            asked.append(obj)
        return original(perm, obj)

    user.has_perm = has_perm
    return asked


@pytest.mark.parametrize("role", [Role.ESCALATION_LEAD, Role.VIEWER])
def test_each_row_shows_what_its_own_check_allows(escalations_in_three_states, api_as,
                                                   make_user, role):
    user = make_user(role, username="reader")
    rows = api_as(user).get("/api/escalations/").json()["results"]

    by_id = {row["id"]: row["allowed_transitions"] for row in rows}
    for escalation in escalations_in_three_states:
        fresh = Escalation.objects.get(pk=escalation.pk)
        assert by_id[escalation.pk] == allowed_transitions(fresh, user)
    assert len({tuple(v) for v in by_id.values()}) == (3 if role == Role.ESCALATION_LEAD else 1)


def test_the_role_level_permission_is_asked_once_for_the_page(escalations_in_three_states,
                                                               api_as, make_user):
    user = make_user(Role.ESCALATION_LEAD, username="reader")
    asked = _counting_object_checks(user, "escalations.work_escalation")

    response = api_as(user).get("/api/escalations/")

    assert response.status_code == 200 and len(response.json()["results"]) == 3
    assert len(asked) == 1
