"""incidents/filters.py through selectors.incident_list: the list page and the API take
the same parameters and find the same incidents; the state groups on the manager."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.choices import FINISHED_STATES, IMPACT_STATES, IncidentState
from incidents.filters import page_aliases
from incidents.models import Channel, Incident, Severity

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(responder, manager, sev1, sev2, chat):
    """Four incidents across states, severities, channels, commanders and dates."""
    now = timezone.now()
    ivr = Channel.objects.get(key="ivr")
    a = services.incident_declare(by=responder, title="Chat outage EU", severity=sev2,
                                  channels=[chat], at=now - timedelta(days=40))
    b = services.incident_declare(by=responder, title="IVR loops", severity=sev1,
                                  channels=[ivr, chat], at=now - timedelta(days=10))
    c = services.incident_declare(by=responder, title="Carrier drops calls", severity=sev1,
                                  at=now - timedelta(days=2))
    d = services.incident_declare(by=responder, title="CRM slow", at=now - timedelta(hours=1),
                                  severity=Severity.objects.get(key="SEV4"))
    services.incident_triage(incident=b, by=responder, commander=manager)
    services.incident_triage(incident=c, by=responder, commander=responder)
    services.incident_cancel(incident=d, by=manager, reason="False alarm")
    return {"a": a, "b": b, "c": c, "d": d}


def days_ago(days):
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def on_the_page(client, query):
    response = client.get(reverse("incidents:index"), query)
    assert response.status_code == 200
    return set(re.findall(r'href="/incidents/(\d+)/" class="incident-title"',
                          response.content.decode()))


def from_the_api(client, query):
    response = client.get("/api/incidents/", {**query, "page_size": 100})
    assert response.status_code == 200, response.json()
    return {str(row["id"]) for row in response.json()["results"]}


QUERIES = [
    {},
    {"state": "triaged"},
    {"state": ["triaged", "cancelled"]},
    {"state": "active"},
    {"severity": "SEV1"},
    {"channel": "chat"},
    {"channel": "ivr", "severity": "SEV1"},
    {"commander": "me"},
    {"priority": "P2"},
    {"declared_after": days_ago(5)},
    {"declared_before": days_ago(5)},
    {"declared_after": days_ago(30), "declared_before": days_ago(1)},
    {"state": "active", "channel": "chat"},
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_page_and_the_api_find_the_same_incidents(client, api_as, responder, spread,
                                                      query):
    client.force_login(responder)
    expected = from_the_api(api_as(responder), query)
    assert on_the_page(client, query) == expected


def test_the_parity_is_not_vacuous(client, api_as, responder, spread):
    """The queries above do narrow the list, differently from each other."""
    api = api_as(responder)
    found = [frozenset(from_the_api(api, query)) for query in QUERIES]
    assert len(set(found)) >= 8
    assert found[0] == {str(incident.pk) for incident in spread.values()}
    assert found[QUERIES.index({"commander": "me"})] == {str(spread["c"].pk)}
    assert found[QUERIES.index({"state": "active"})] == {
        str(spread[key].pk) for key in "abc"}


@pytest.mark.parametrize(("old", "new"), [
    ({"declared_from": 5}, {"declared_after": 5}),
    ({"declared_to": 5}, {"declared_before": 4}),  # "to" took the whole day in
    ({"declared_from": 30, "declared_to": 3}, {"declared_after": 30, "declared_before": 2}),
])
def test_the_pages_old_parameter_names_still_work(client, responder, spread, old, new):
    client.force_login(responder)
    old = {name: days_ago(days) for name, days in old.items()}
    new = {name: days_ago(days) for name, days in new.items()}
    assert page_aliases_applied(old) == new
    assert on_the_page(client, old) == on_the_page(client, new)


def page_aliases_applied(query):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update(query)
    return {name: value for name, value in page_aliases(data).items()}


@pytest.mark.parametrize(("query", "field"), [
    ({"state": "asleep"}, "state"),
    ({"commander": "someone"}, "commander"),
    ({"declared_after": "last tuesday"}, "declared_after"),
])
def test_an_invalid_filter_is_a_400_in_the_api_and_left_out_on_the_page(
        client, api_as, responder, spread, query, field):
    api = api_as(responder)
    response = api.get("/api/incidents/", query)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    # On the page the error shows beside the field, and the valid filters still apply.
    valid = {"severity": "SEV1"}
    client.force_login(responder)
    response = client.get(reverse("incidents:index"), {**query, **valid})
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert on_the_page(client, {**query, **valid}) == from_the_api(api, valid) != set()


def test_an_unknown_key_finds_nothing_in_the_api_and_is_an_error_on_the_page(
        client, api_as, responder, spread):
    assert from_the_api(api_as(responder), {"severity": "SEV9"}) == set()
    client.force_login(responder)
    response = client.get(reverse("incidents:index"), {"channel": "pigeon", "state": "triaged"})
    assert 'id="id_channel_error"' in response.content.decode()
    assert on_the_page(client, {"channel": "pigeon", "state": "triaged"}) == {
        str(spread["b"].pk), str(spread["c"].pk)}


# --- State groups ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", IncidentState.values)
def test_state_groups_split_every_state(responder, state):
    incident = services.incident_declare(by=responder, title="Chat down")
    Incident.objects.filter(pk=incident.pk).update(state=state)  # the groups read the column
    finished = state in {"closed", "cancelled"}  # written out: the oracle
    assert Incident.objects.finished().filter(pk=incident.pk).exists() == finished
    assert Incident.objects.open().filter(pk=incident.pk).exists() == (not finished)
    assert Incident.objects.impacting().filter(pk=incident.pk).exists() == (
        state in {"declared", "triaged", "contained"})
    assert Incident.objects.get(pk=incident.pk).is_finished == finished
    assert set(FINISHED_STATES) == {"closed", "cancelled"}
    assert set(IMPACT_STATES) == {"declared", "triaged", "contained"}
