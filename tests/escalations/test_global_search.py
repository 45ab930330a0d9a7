"""The global search box (core/search.py with each app's searcher), its API, the
search-as-you-type link picker, and the text search of the incident list and the
escalation queue — permission-filtered: nobody finds what they may not open, and a
customer's name matches only for roles that see personal data."""

from datetime import date

import pytest

from core.choices import Role
from incidents import services as incident_services
from vendors import services as vendor_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(customer, lead, manager, open_escalation, make_user):
    responder = make_user(Role.INCIDENT_RESPONDER, username="rory")
    escalation = open_escalation(summary="Disconnected three times")
    other = open_escalation(summary="Wrong plan")
    incident = incident_services.incident_declare(by=responder, title="Chat widget down")
    vendor_manager = make_user(Role.VENDOR_MANAGER, username="victor")
    vendor = vendor_services.vendor_create(by=vendor_manager, name="Telvia Carrier",
                                           category="carrier")
    contract = vendor_services.contract_create(
        by=vendor_manager, vendor=vendor, title="Telvia SIP trunks",
        start_date=date(2026, 1, 1), end_date=date(2027, 12, 31))
    return {"escalation": escalation, "other": other, "incident": incident,
            "vendor": vendor, "contract": contract}


def _kinds(response):
    return {group.key: [hit.reference or hit.title for hit in group.hits]
            for group in response.context["groups"]}


def test_viewer_finds_an_escalation_by_customer_account(client, viewer, world):
    client.force_login(viewer)
    response = client.get("/search/", {"q": "104200"})
    found = _kinds(response)
    assert set(found["escalations.escalation"]) == {world["escalation"].reference,
                                                   world["other"].reference}
    assert found["escalations.customer"] == ["ACC-104200"]
    # The viewer sees no personal data: the customer's name is neither shown nor matched.
    assert "Harriet" not in response.content.decode()
    assert "escalations.customer" not in _kinds(client.get("/search/", {"q": "Harriet"}))


def test_lead_finds_a_customer_by_name(client, lead, world):
    client.force_login(lead)
    found = _kinds(client.get("/search/", {"q": "harriet"}))
    assert found["escalations.customer"] == ["ACC-104200"]
    assert len(found["escalations.escalation"]) == 2


def test_results_are_grouped_and_references_and_titles_match(client, manager, world):
    client.force_login(manager)
    assert _kinds(client.get("/search/", {"q": world["incident"].reference})) == {
        "incidents.incident": [world["incident"].reference]}
    assert _kinds(client.get("/search/", {"q": "widget"})) == {
        "incidents.incident": [world["incident"].reference]}
    found = _kinds(client.get("/search/", {"q": "telvia"}))
    assert found["vendors.vendor"] == ["Telvia Carrier"]
    assert found["vendors.contract"] == [world["contract"].reference]
    page = client.get("/search/", {"q": "telvia"}).content.decode()
    assert page.count('data-testid="search-group"') == 2
    # htmx asks for the results only.
    partial = client.get("/search/", {"q": "telvia"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="search-results"') and "<html" not in partial


def test_someone_without_a_role_finds_nothing(client, make_user, world):
    client.force_login(make_user(username="norole"))
    response = client.get("/search/", {"q": "telvia"})
    assert response.status_code == 200 and response.context["groups"] == []
    assert "search-nothing" in response.content.decode()


def test_short_query_asks_for_more(client, viewer, world):
    client.force_login(viewer)
    response = client.get("/search/", {"q": "a"})
    assert response.context["groups"] == [] and "at least two characters" in \
        response.content.decode()


def test_header_has_the_search_box(client, viewer):
    client.force_login(viewer)
    assert 'data-testid="header-search"' in client.get("/").content.decode()


def test_search_requires_login(client):
    assert client.get("/search/", {"q": "x"}).status_code == 302


def test_api_search(api_as, viewer, lead, world):
    body = api_as(viewer).get("/api/search/", {"q": "104200"}).json()
    kinds = {group["kind"]: group for group in body["groups"]}
    assert body["query"] == "104200"
    assert {hit["reference"] for hit in kinds["escalations.escalation"]["results"]} == {
        world["escalation"].reference, world["other"].reference}
    assert kinds["escalations.escalation"]["results"][0]["url"].startswith("/escalations/")
    refused = api_as(viewer).get("/api/search/", {"q": "x"})
    assert refused.status_code == 400 and "q" in refused.json()["errors"]
    refused = api_as(viewer).get("/api/search/", {"q": "telvia", "kind": "nope"})
    assert refused.status_code == 400 and "kind" in refused.json()["errors"]
    only = api_as(lead).get("/api/search/", {"q": "telvia", "kind": "vendors.vendor"}).json()
    assert [g["kind"] for g in only["groups"]] == ["vendors.vendor"]


def test_api_search_anonymous_is_refused(api_client):
    assert api_client.get("/api/search/", {"q": "telvia"}).status_code in (401, 403)


def test_picker_proposes_incidents_as_you_type(client, lead, world):
    client.force_login(lead)
    options = client.get("/search/pick/", {"kind": "incidents.incident", "field": "incident",
                                           "incident": "widget", "list": "pick-incident"})
    text = options.content.decode()
    assert '<datalist id="pick-incident"' in text
    assert f'value="{world["incident"].reference}"' in text
    # The escalation page's link form draws the picker.
    page = client.get(world["escalation"].get_absolute_url()).content.decode()
    assert 'list="pick-incident"' in page and "/search/pick/?kind=incidents.incident" in page


def test_picker_refuses_kinds_the_user_cannot_search(client, make_user, world):
    client.force_login(make_user(username="norole2"))
    text = client.get("/search/pick/", {"kind": "incidents.incident", "q": "widget"}
                      ).content.decode()
    assert "option" not in text


def test_linking_with_the_picked_reference(client, lead, world):
    client.force_login(lead)
    escalation = world["escalation"]
    response = client.post(f"{escalation.get_absolute_url()}actions/link/",
                           {"incident": world["incident"].reference})
    assert response.status_code in (200, 302)
    assert escalation.incidents.filter(pk=world["incident"].pk).exists()


def test_queue_text_search_by_account_and_summary(client, viewer, world):
    client.force_login(viewer)
    page = client.get("/escalations/", {"search": "three times"})
    assert [e.reference for e in page.context["escalations"]] == [world["escalation"].reference]
    page = client.get("/escalations/", {"search": "acc-104200"})
    assert len(page.context["escalations"]) == 2
    assert 'name="search"' in page.content.decode()


def test_incident_list_text_search(client, viewer, world, make_user):
    incident_services.incident_declare(by=make_user(Role.INCIDENT_RESPONDER, username="r2"),
                                       title="IVR loops")
    client.force_login(viewer)
    page = client.get("/incidents/", {"search": "widget"})
    assert [i.reference for i in page.context["incidents"]] == [world["incident"].reference]
    assert 'name="search"' in page.content.decode()


def test_global_search_queries_do_not_grow_with_matches(client, manager, world, open_escalation,
                                                        django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(40) as captured:
        client.get("/search/", {"q": "104200"})
    few = len(captured)
    for _ in range(6):
        open_escalation(summary="Another one")
    with django_assert_max_num_queries(few):
        client.get("/search/", {"q": "104200"})
