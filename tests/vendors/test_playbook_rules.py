"""The vendor condition of playbook attach rules (vendors/playbook_rules.py, registered
with playbooks/conditions.py): set in the service, the API, the playbook page and the
admin; matched on the vendors named on an incident or escalation, also when they are
named after the declaration; refused with the field named when it names no vendor or
category; edited only by those who edit rules."""

import pytest
from django.urls import reverse

from core.choices import Role
from escalations import services as escalation_services
from incidents import services as incident_services
from playbooks import services as playbook_services
from playbooks.models import AttachRule, Playbook, PlaybookRun
from vendors import services

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]


@pytest.fixture
def crm(victor):
    return services.vendor_create(by=victor, name="Orbit CRM", category="crm")


@pytest.fixture
def make_playbook(manager):
    """A published playbook with one step and the given rules (service fields)."""

    def make(name="Carrier outage", kind="incident", rules=()):
        playbook = playbook_services.playbook_create(
            by=manager, name=name, kind=kind, slug=name.lower().replace(" ", "-"),
            purpose=f"When {name}.")
        draft = playbook_services.current_draft(playbook)
        playbook_services.step_save(version=draft, by=manager, title="Call the vendor's NOC")
        for fields in rules:
            playbook_services.rule_save(playbook=playbook, by=manager, **fields)
        playbook_services.version_publish(version=draft, by=manager)
        return Playbook.objects.get(pk=playbook.pk)

    return make


@pytest.fixture
def incident(responder):
    return incident_services.incident_declare(by=responder, title="Inbound calls failing")


def attached(obj):
    return set(PlaybookRun.objects.of(obj)
               .values_list("playbook__name", flat=True))


# --- The service ---------------------------------------------------------------------------


def test_a_rule_stores_the_vendors_and_categories_and_reads_them(make_playbook, carrier,
                                                                 manager):
    playbook = make_playbook()
    rule = playbook_services.rule_save(playbook=playbook, by=manager, vendors=[carrier],
                                       vendor_categories=["crm", "carrier", "crm"])
    rule.refresh_from_db()
    assert rule.extra_conditions == {"vendor": {"vendors": [carrier.pk],
                                                "vendor_categories": ["carrier", "crm"]}}
    assert rule.describe() == "vendor Northwind Telecom or category telephony carrier or CRM"


def test_the_vendor_condition_alone_is_enough_and_joins_the_others(make_playbook, carrier,
                                                                   manager, crm):
    from incidents.models import Severity

    playbook = make_playbook()
    only = playbook_services.rule_save(playbook=playbook, by=manager,
                                       vendor_categories=["carrier"])
    assert only.describe() == "category telephony carrier"
    both = playbook_services.rule_save(playbook=playbook, by=manager,
                                       min_severity=Severity.objects.get(key="SEV2"),
                                       vendors=[crm.pk, carrier.pk])
    assert both.describe() == "severity SEV2 or worse, vendor Northwind Telecom or Orbit CRM"


def test_a_rule_edit_is_audited_with_its_vendor_condition(make_playbook, carrier, manager):
    rule = playbook_services.rule_save(playbook=make_playbook(), by=manager,
                                       vendor_categories=["carrier"])
    rule = playbook_services.rule_save(playbook=rule.playbook, rule=rule, by=manager,
                                       vendors=[carrier], vendor_categories=[])
    newest, oldest = rule.history.order_by("-history_id")[:2]
    assert newest.extra_conditions == {"vendor": {"vendors": [carrier.pk]}}
    assert newest.history_change_reason == "Rule: vendor Northwind Telecom"
    assert oldest.extra_conditions == {"vendor": {"vendor_categories": ["carrier"]}}
    assert newest.history_user == manager


def test_clearing_the_vendor_condition_leaves_a_rule_without_conditions_refused(
        make_playbook, manager):
    rule = playbook_services.rule_save(playbook=make_playbook(), by=manager,
                                       vendor_categories=["carrier"])
    with pytest.raises(Exception, match="Set at least one condition"):
        playbook_services.rule_save(playbook=rule.playbook, rule=rule, by=manager,
                                    vendors=[], vendor_categories=[])
    rule.refresh_from_db()
    assert rule.extra_conditions == {"vendor": {"vendor_categories": ["carrier"]}}


@pytest.mark.parametrize(("fields", "field"), [
    ({"vendors": [999_999]}, "vendors"),
    ({"vendors": ["not-an-id"]}, "vendors"),
    ({"vendors": ["²"]}, "vendors"),
    ({"vendors": ["-3"]}, "vendors"),
    ({"vendors": [2**80]}, "vendors"),
    ({"vendors": [True]}, "vendors"),
    ({"vendor_categories": ["pigeon"]}, "vendor_categories"),
])
def test_the_service_refuses_an_unknown_vendor_or_category_naming_it(make_playbook, manager,
                                                                     fields, field):
    from django.core.exceptions import ValidationError

    playbook = make_playbook()
    with pytest.raises(ValidationError) as refused:
        playbook_services.rule_save(playbook=playbook, by=manager, **fields)
    assert field in refused.value.message_dict
    assert not playbook.rules.exists()


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.MANAGER])
def test_only_rule_editors_set_a_vendor_condition(make_playbook, make_user, role):
    from django.core.exceptions import PermissionDenied

    playbook = make_playbook()
    with pytest.raises(PermissionDenied):
        playbook_services.rule_save(playbook=playbook, by=make_user(role),
                                    vendor_categories=["carrier"])


# --- Matching and attaching ----------------------------------------------------------------


def test_a_vendor_named_later_attaches_the_playbook_another_vendor_does_not(
        make_playbook, incident, carrier, crm, responder):
    make_playbook(rules=[{"vendors": [carrier]}])
    services.attribution_add(vendor=crm, incident=incident, by=responder)
    assert attached(incident) == set()
    services.attribution_add(vendor=carrier, incident=incident, by=responder)
    run = PlaybookRun.objects.of(incident).get()
    assert run.playbook.name == "Carrier outage" and run.attached_how == "rule"
    assert run.rule.describe() == "vendor Northwind Telecom"


def test_a_category_condition_attaches_for_any_vendor_of_it(make_playbook, incident, victor,
                                                             crm, responder):
    make_playbook(rules=[{"vendor_categories": ["carrier"]}])
    services.attribution_add(vendor=crm, incident=incident, by=responder)
    assert attached(incident) == set()
    telvia = services.vendor_create(by=victor, name="Telvia", category="carrier")
    services.attribution_add(vendor=telvia, incident=incident, by=responder)
    assert attached(incident) == {"Carrier outage"}


def test_vendors_named_at_declaration_attach_at_once(make_playbook, carrier, responder):
    make_playbook(rules=[{"vendor_categories": ["carrier"]}])
    incident = incident_services.incident_declare(by=responder, title="SIP trunks down")
    services.attribute_at_declaration(incident, {"affected_vendors": [carrier]}, responder)
    assert attached(incident) == {"Carrier outage"}


def test_every_condition_of_the_rule_must_hold(make_playbook, carrier, responder):
    from incidents.models import Severity

    make_playbook(rules=[{"min_severity": Severity.objects.get(key="SEV1"),
                          "vendors": [carrier]}])
    incident = incident_services.incident_declare(by=responder, title="Calls failing",
                                                  severity=Severity.objects.get(key="SEV3"))
    services.attribution_add(vendor=carrier, incident=incident, by=responder)
    assert attached(incident) == set()


def test_an_escalation_playbook_attaches_when_its_vendor_is_named(make_playbook, manager,
                                                                  carrier, make_user):
    from decimal import Decimal

    lead = make_user(Role.ESCALATION_LEAD, username="elena")
    customer = escalation_services.customer_create(
        by=manager, name="Harriet Okafor", account_reference="ACC-104200", tier="standard",
        annual_value=Decimal("1200.00"))
    make_playbook(name="Carrier complaint", kind="escalation",
                  rules=[{"vendor_categories": ["carrier"]}])
    escalation = escalation_services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P3",
        summary="Dropped calls")
    assert attached(escalation) == set()
    services.attribution_add(vendor=carrier, escalation=escalation, by=lead)
    assert attached(escalation) == {"Carrier complaint"}


def test_a_rule_whose_condition_is_no_longer_registered_never_matches(make_playbook,
                                                                       incident, manager):
    playbook = make_playbook()
    rule = AttachRule.objects.create(playbook=playbook,
                                     extra_conditions={"gone": {"anything": [1]}})
    assert playbook_services.rule_matches(rule, incident) is False
    assert rule.describe() == "gone condition (no longer available)"


def test_a_rule_changed_after_being_described_describes_its_new_values(make_playbook,
                                                                       manager, carrier,
                                                                       crm):
    from playbooks.conditions import describe_in_bulk

    rule = playbook_services.rule_save(playbook=make_playbook(), by=manager, vendors=[carrier])
    describe_in_bulk([rule])
    assert rule.describe() == "vendor Northwind Telecom"
    rule = playbook_services.rule_save(playbook=rule.playbook, rule=rule, by=manager,
                                       vendors=[crm])
    assert rule.describe() == "vendor Orbit CRM"


# --- Lists describe every rule's vendors in one query ---------------------------------------


def test_the_run_list_describes_vendor_rules_in_constant_queries(
        api_as, viewer, manager, make_playbook, victor, incident, responder,
        django_assert_num_queries):
    client = api_as(viewer)
    path = f"/api/playbook-runs/?incident={incident.pk}"

    def vendor_rule_run(name):
        vendor = services.vendor_create(by=victor, name=f"{name} Telecom", category="carrier")
        make_playbook(name=name, rules=[{"vendors": [vendor]}])
        services.attribution_add(vendor=vendor, incident=incident, by=responder)

    vendor_rule_run("A"), vendor_rule_run("B")
    client.get(path)
    with django_assert_num_queries(5):  # the run list's 4, and the vendor names
        body = client.get(path).json()
    assert [row["rule_description"] for row in body["results"]] == ["vendor A Telecom",
                                                                    "vendor B Telecom"]
    for name in ("C", "D", "E", "F"):
        vendor_rule_run(name)
    with django_assert_num_queries(5):
        assert len(client.get(path).json()["results"]) == 6


def test_the_library_and_a_playbook_describe_vendor_rules_in_constant_queries(
        client, viewer, manager, make_playbook, victor, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def vendor_rules(name, count):
        vendors = [services.vendor_create(by=victor, name=f"{name} {n}", category="carrier")
                   for n in range(count)]
        return make_playbook(name=name, rules=[{"vendors": [v]} for v in vendors])

    one = vendor_rules("One", 1)
    client.force_login(viewer)
    pages = {"library": reverse("playbooks:index"), "page": one.get_absolute_url(),
             "api": f"/api/playbooks/{one.pk}/"}
    before = {}
    for key, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        before[key] = len(queries)
    for n in range(4):
        vendor_rules(f"More {n}", 1)
    for n in range(3):
        extra = services.vendor_create(by=victor, name=f"Extra {n}", category="crm")
        playbook_services.rule_save(playbook=one, by=manager, vendors=[extra])
    for key, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert len(queries) == before[key], key
        assert "Extra 2" in page or key == "library"
    assert "vendor More 3 0" in client.get(pages["library"]).content.decode()


# --- The API -------------------------------------------------------------------------------


def test_the_api_adds_a_vendor_rule_and_shows_it(api_as, manager, make_playbook, carrier):
    playbook = make_playbook()
    client = api_as(manager)
    response = client.post(f"/api/playbooks/{playbook.pk}/rules/", {
        "vendors": [carrier.pk], "vendor_categories": ["carrier"]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["vendors"], body["vendor_categories"]) == ([carrier.pk], ["carrier"])
    assert body["description"] == "vendor Northwind Telecom or category telephony carrier"
    rules = client.get(f"/api/playbooks/{playbook.pk}/").json()["rules"]
    assert rules[0]["vendors"] == [carrier.pk]


def test_a_rule_without_a_vendor_condition_shows_empty_lists(api_as, viewer, make_playbook):
    from incidents.models import Channel

    playbook = make_playbook(rules=[{"channel": Channel.objects.get(key="voice")}])
    rule = api_as(viewer).get(f"/api/playbooks/{playbook.pk}/").json()["rules"][0]
    assert (rule["vendors"], rule["vendor_categories"]) == ([], [])


@pytest.mark.parametrize(("body", "field"), [
    ({"vendors": [999_999]}, "vendors"),
    ({"vendors": ["x"]}, "vendors"),
    ({"vendors": [2**80]}, "vendors"),
    ({"vendors": 3}, "vendors"),
    ({"vendor_categories": ["pigeon"]}, "vendor_categories"),
    ({"vendor_categories": "carrier"}, "vendor_categories"),
    ({"vendors": ["1\x00"]}, "vendors"),
    ({"vendor_categories": ["carrier\x00"]}, "vendor_categories"),
])
def test_the_api_names_a_bad_vendor_condition(api_as, manager, make_playbook, body, field):
    playbook = make_playbook()
    response = api_as(manager).post(f"/api/playbooks/{playbook.pk}/rules/", body,
                                    format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not playbook.rules.exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_adds_a_vendor_rule_through_the_api(as_role, role, make_playbook):
    playbook = make_playbook()
    response = as_role(role).post(f"/api/playbooks/{playbook.pk}/rules/",
                                  {"vendor_categories": ["carrier"]}, format="json")
    assert response.status_code == (201 if role == Role.MANAGER else 403)
    assert playbook.rules.exists() is (role == Role.MANAGER)


# --- The playbook page ---------------------------------------------------------------------


def rule_url(playbook):
    return reverse("playbooks:action", args=[playbook.pk, "add-rule"])


def test_the_page_offers_the_vendor_condition_and_adds_it(client, manager, make_playbook,
                                                          carrier):
    playbook = make_playbook()
    client.force_login(manager)
    page = client.get(playbook.get_absolute_url()).content.decode()
    assert 'name="vendors"' in page and 'name="vendor_categories"' in page
    assert "Northwind Telecom" in page
    response = client.post(rule_url(playbook), {"vendor_categories": ["carrier"],
                                                "vendors": [carrier.pk]})
    assert response.status_code == 302
    rule = playbook.rules.get()
    assert rule.describe() == "vendor Northwind Telecom or category telephony carrier"
    page = client.get(playbook.get_absolute_url()).content.decode()
    assert "vendor Northwind Telecom or category telephony carrier" in page


@pytest.mark.parametrize(("data", "field"), [
    ({"vendors": ["999999"]}, "vendors"),
    ({"vendor_categories": ["pigeon"]}, "vendor_categories"),
    ({"vendors": [str(2**80)]}, "vendors"),  # beyond any id: no query at all
])
def test_the_page_shows_a_bad_vendor_condition_on_its_field(client, manager, make_playbook,
                                                            data, field):
    playbook = make_playbook()
    client.force_login(manager)
    response = client.post(rule_url(playbook), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert f'id="add-rule-{field}_error"' in response.content.decode()
    assert not playbook.rules.exists()


def test_a_nul_character_in_a_vendor_condition_is_a_400_naming_it(client, manager,
                                                                  make_playbook):
    playbook = make_playbook()
    client.force_login(manager)
    response = client.post(rule_url(playbook), {"vendors": ["1\x00"]})
    assert response.status_code == 400
    assert "vendors" in response.content.decode()
    assert not playbook.rules.exists()


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.MANAGER])
def test_only_managers_add_a_vendor_rule_on_the_page(client, make_user, role, make_playbook):
    playbook = make_playbook()
    client.force_login(make_user(role))
    response = client.post(rule_url(playbook), {"vendor_categories": ["carrier"]})
    assert response.status_code == 403
    assert not playbook.rules.exists()


# --- The admin -----------------------------------------------------------------------------


ADMIN_RULE = {"min_priority": "", "category": "", "customer_tier": ""}


def test_the_admin_adds_and_changes_a_vendor_rule(client, manager, make_playbook, carrier,
                                                  crm):
    playbook = make_playbook()
    client.force_login(manager)
    response = client.post(reverse("admin:playbooks_attachrule_add"), {
        **ADMIN_RULE, "playbook": playbook.pk, "vendor_categories": ["carrier"]})
    assert response.status_code == 302, response.content.decode()
    rule = playbook.rules.get()
    assert rule.extra_conditions == {"vendor": {"vendor_categories": ["carrier"]}}
    url = reverse("admin:playbooks_attachrule_change", args=[rule.pk])
    form = client.get(url).content.decode()
    assert ('name="vendor_categories" value="carrier" id="id_vendor_categories_1" checked'
            in form)  # the stored values are the form's initial data
    response = client.post(url, {**ADMIN_RULE, "playbook": playbook.pk, "vendors": [crm.pk]})
    assert response.status_code == 302, response.content.decode()
    rule.refresh_from_db()
    assert rule.extra_conditions == {"vendor": {"vendors": [crm.pk]}}
    assert rule.history.count() == 2


def test_the_admin_refuses_a_rule_with_nothing_set_and_an_unknown_vendor(client, manager,
                                                                         make_playbook):
    playbook = make_playbook()
    client.force_login(manager)
    url = reverse("admin:playbooks_attachrule_add")
    response = client.post(url, {**ADMIN_RULE, "playbook": playbook.pk, "vendors": ["999999"]})
    assert response.status_code == 200
    assert "999999" in response.content.decode()
    response = client.post(url, {**ADMIN_RULE, "playbook": playbook.pk})
    assert response.status_code == 200
    assert "Set at least one condition" in response.content.decode()
    assert not playbook.rules.exists()
