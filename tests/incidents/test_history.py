"""The History section on an incident page: who, when, old → new, why — for the roles
holding core.view_audit_history only."""

import re

import pytest

from core.choices import Role
from core.history import object_history
from incidents.services import incident_edit

pytestmark = pytest.mark.django_db

WHEN = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Z]+$")  # 24 h, to the minute


@pytest.fixture
def edited(declared, responder):
    return incident_edit(incident=declared, by=responder, customer_impact="Chat is down.")


@pytest.mark.parametrize(("role", "sees"), [
    (Role.MANAGER, True), (Role.VIEWER, True), (Role.INCIDENT_RESPONDER, False),
    (Role.ESCALATION_LEAD, False), (Role.VENDOR_MANAGER, False), (Role.FINANCE, False),
])
def test_the_history_section_is_for_roles_that_read_the_audit_history(client, make_user,
                                                                      edited, role, sees):
    client.force_login(make_user(role, username=f"u-{role}".replace(" ", "")))
    html = client.get(edited.get_absolute_url()).content.decode()
    assert ('data-testid="history"' in html) == sees
    if sees:
        section = html[html.index('data-testid="history"'):]
        assert "Ivan Petrov" in section
        assert "Edited: customer_impact" in section
        assert "Customer impact" in section and "Chat is down." in section


def test_an_entry_reads_who_when_to_the_minute_and_old_to_new(edited):
    latest = object_history(edited)["entries"][0]
    assert latest["who"] == "Ivan Petrov"
    assert WHEN.match(latest["when"]), latest["when"]  # no seconds or microseconds
    assert latest["kind"] == "Changed"
    assert {"field": "Customer impact", "old": "—", "new": "Chat is down."} in latest["changes"]


def test_an_empty_person_reads_as_a_dash_not_a_deleted_user(declared, manager):
    from core.presentation import person_name
    from incidents.services import incident_assign_role

    incident_assign_role(incident=declared, by=manager, role="scribe", user=manager)
    incident_assign_role(incident=declared, by=manager, role="scribe", user=None)

    entries = object_history(declared)["entries"]
    taken = next(e for e in entries if e["why"] == "Scribe: nobody")
    given = next(e for e in entries if e["why"].startswith("Scribe: ") and e is not taken)
    assert {"field": "Scribe", "old": person_name(manager), "new": "—"} in taken["changes"]
    assert {"field": "Scribe", "old": "—", "new": person_name(manager)} in given["changes"]


def test_the_admin_history_has_no_deleted_user_for_an_empty_field_nor_microseconds(
        client, manager, edited):
    from incidents.services import incident_assign_role

    incident_assign_role(incident=edited, by=manager, role="scribe", user=manager)
    incident_assign_role(incident=edited, by=manager, role="scribe", user=None)
    client.force_login(manager)
    url = f"/admin/incidents/incident/{edited.pk}/history/"
    html = client.get(url).content.decode()
    assert "Scribe" in html and "pk=None" not in html
    shown = re.findall(r'">([^<]*)</time></td>', html)
    assert shown and all(WHEN.match(text) for text in shown), shown


def test_the_history_reads_in_a_fixed_number_of_queries(edited, responder,
                                                        django_assert_max_num_queries):
    for number in range(10):
        incident_edit(incident=edited, by=responder, customer_impact=f"Before {number}")
    with django_assert_max_num_queries(8) as few:
        object_history(edited)
    for number in range(10):
        incident_edit(incident=edited, by=responder, customer_impact=f"Impact {number}")
    incident = type(edited).objects.get(pk=edited.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        object_history(incident)


def test_a_changed_set_of_channels_reads_old_to_new_by_name(declared, responder):
    from incidents.models import Channel

    voice = Channel.objects.get(key="voice")
    incident_edit(incident=declared, by=responder, channels=[*declared.channels.all(), voice])

    latest = object_history(declared)["entries"][0]
    assert latest["who"] == "Ivan Petrov"
    assert latest["why"] == "Edited: channels"
    assert {"field": "Channels", "old": "Chat", "new": "Chat, Voice / ACD"} in latest["changes"]
