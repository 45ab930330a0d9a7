"""The one FilterSet of the escalation list (escalations/filters.py), reached through
selectors.escalation_list by the queue page and the API: the same parameter names
select the same escalations on both."""

from datetime import timedelta

import pytest
from django.urls import reverse

from escalations import services
from escalations.choices import OPEN_STATES
from escalations.models import RegulatoryRegime
from escalations.selectors import escalation_list
from incidents.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(lead, manager, customer, open_escalation):
    """Five escalations that differ in every filtered property."""
    chat = Channel.objects.get(key="chat")
    standard = services.customer_create(by=manager, name="Sam", account_reference="ACC-1",
                                        tier="standard")
    vip_chat = open_escalation(channel=chat, summary="VIP on chat", priority="P1")
    other = services.escalation_create(by=lead, customer=standard, category="billing",
                                       priority="P3", summary="Standard by email",
                                       owner=manager)
    regulated = open_escalation(summary="Under a regulator",
                                regulatory_regime=RegulatoryRegime.objects.get(
                                    code="uk-fca-disp"))
    late = open_escalation(summary="Long overdue",
                           at=vip_chat.created_at - timedelta(days=30))
    services.escalation_escalate_tier(escalation=late, by=lead, reason="Overdue")
    gone = open_escalation(summary="Withdrawn")
    services.escalation_withdraw(escalation=gone, by=lead, reason="Sorted")
    return {"vip_chat": vip_chat, "other": other, "regulated": regulated, "late": late,
            "gone": gone}


PARAMETERS = [
    {"state": "withdrawn"},
    {"state": "new"},
    {"category": "billing"},
    {"priority": "P1"},
    {"tier": "L2"},
    {"customer_tier": "standard"},
    {"channel": "chat"},
    {"regulatory": "on"},
    {"breached": "on"},
    {"mine": "on"},
    {"owner": "me"},
    {"state": "new", "category": "complaint", "tier": "L1"},
]


def page_references(client, params, world):
    html = client.get(reverse("escalations:index"), params).content.decode()
    return {name for name, escalation in world.items() if escalation.reference in html}


def api_references(api_client, params, world):
    response = api_client.get("/api/escalations/", params)
    assert response.status_code == 200, response.content
    found = {row["reference"] for row in response.json()["results"]}
    return {name for name, escalation in world.items() if escalation.reference in found}


@pytest.mark.parametrize("params", PARAMETERS, ids=lambda p: "&".join(f"{k}={v}"
                                                                       for k, v in p.items()))
def test_the_page_and_the_api_select_the_same_escalations(client, api_as, lead, world,
                                                          params):
    client.force_login(lead)
    api = api_as(lead)
    on_page = page_references(client, params, world)
    # Without a state the page shows the open ones: ask the API for those by name.
    asked = params if "state" in params else {**params, "state": list(OPEN_STATES)}
    assert on_page == api_references(api, asked, world)
    # …and the selector both of them call, asked directly, agrees.
    selected = set(escalation_list(filters=params, user=lead, open_by_default=True).qs)
    assert on_page == {name for name, escalation in world.items() if escalation in selected}


def test_the_page_defaults_to_the_open_states_and_the_api_to_all(client, api_as, lead, world):
    client.force_login(lead)
    assert page_references(client, {}, world) == set(world) - {"gone"}
    assert api_references(api_as(lead), {}, world) == set(world)


def test_the_api_repeats_a_parameter_for_several_values(api_as, lead, world):
    found = api_references(api_as(lead), {"state": ["withdrawn", "new"], "tier": ["L1"]},
                           world)
    assert found == {"vip_chat", "other", "regulated", "gone"}


@pytest.mark.parametrize(("params", "field"), [
    ({"state": "nonsense"}, "state"),
    ({"owner": "nobody"}, "owner"),
    ({"channel": "carrier-pigeon"}, "channel"),
    ({"created_after": "yesterday"}, "created_after"),
])
def test_an_invalid_filter_is_a_400_in_the_api_and_left_out_on_the_page(
        client, api_as, lead, world, params, field):
    response = api_as(lead).get("/api/escalations/", params)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    client.force_login(lead)
    page = client.get(reverse("escalations:index"), params)
    assert page.status_code == 200
    html = page.content.decode()
    if field != "created_after":  # not drawn on the page, but read from its address
        assert f'id="id_{field}_error"' in html
    # Left out: the open escalations, as with no filter at all.
    assert page_references(client, params, world) == set(world) - {"gone"}
