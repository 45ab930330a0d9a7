"""History on customer and escalation pages hides what the role may not see."""

import pytest

from core.choices import Role
from core.history import object_history
from escalations import services

pytestmark = pytest.mark.django_db


def test_a_viewer_reads_a_customers_history_without_personal_data(client, manager, viewer,
                                                                   customer):
    services.customer_update(customer=customer, by=manager, phone="07700 900999",
                             tier="high_value")
    url = f"/escalations/customers/{customer.pk}/"

    client.force_login(viewer)
    section = client.get(url).content.decode()
    section = section[section.index('data-testid="history"'):]
    assert "Tier" in section
    assert "07700 900999" not in section and "Phone" not in section

    client.force_login(manager)
    section = client.get(url).content.decode()
    section = section[section.index('data-testid="history"'):]
    assert "07700 900999" in section


def test_an_escalation_history_hides_compensation_from_those_who_may_not_see_it(
        make_user, triaged, lead):
    from escalations.visibility import COMPENSATION_FIELDS, can_see_compensation

    services.escalation_offer_compensation(escalation=triaged, by=lead, amount="40.00",
                                           note="Bill credit")
    responder = make_user(Role.INCIDENT_RESPONDER)
    assert not can_see_compensation(responder)
    fields = {change["field"] for entry in object_history(
        triaged, hidden=set(COMPENSATION_FIELDS))["entries"] for change in entry["changes"]}
    assert not any("ompensation" in field for field in fields)
    shown = {change["field"] for entry in object_history(triaged)["entries"]
             for change in entry["changes"]}
    assert any("ompensation" in field for field in shown)
