"""KPI pages: the overview against target, a queue's trend chart, the import page with
its error table, exports, the cards on incident and vendor pages and the dashboard,
per role."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from core.choices import Role
from incidents import services as incident_services
from incidents.models import Channel, Severity
from kpis.models import IntervalStat
from tests.kpis.conftest import at

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
NOW = at(30, 12)


@pytest.fixture(autouse=True)
def _on_the_30th():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def login(client, make_user):
    def as_role(role):
        client.force_login(make_user(role, username=f"web-{role}".replace(" ", "")))
        return client

    return as_role


@pytest.fixture
def week(support, chat, add_interval):
    add_interval(support, at(30, 9), offered=100, answered=90, answered_within_threshold=85,
                 abandoned=10, abandoned_within_threshold=5, handled=90)
    add_interval(chat, at(30, 9), offered=40, answered=30, answered_within_threshold=10,
                 abandoned=10, abandoned_within_threshold=2)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_each_queue_against_target(login, week, role):
    response = login(role).get("/kpis/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-queue="Voice support"' in html and 'data-queue="Chat"' in html
    assert 'data-status="green"' in html  # 85 ÷ 100 against 80
    assert 'data-status="red"' in html  # chat: 10 ÷ (40 − 2) = 26.32, abandons ignored
    assert "26.32 %" in html and "<svg" in html


def test_filters_narrow_the_queues(login, week):
    html = login(Role.VIEWER).get("/kpis/", {"channel": "chat"}).content.decode()
    assert 'data-queue="Chat"' in html and 'data-queue="Voice support"' not in html


def test_a_bad_filter_is_a_400_naming_it(login, week):
    response = login(Role.VIEWER).get("/kpis/", {"period": "custom", "start": "2026-11-30"})
    assert response.status_code == 400 and "Choose the last day" in response.content.decode()


def test_the_table_exports_as_csv_and_xlsx(login, week):
    client = login(Role.VIEWER)
    rows = list(csv.reader(io.StringIO(client.get("/kpis/export/").content.decode())))
    assert rows[0][:3] == ["Queue", "Channel", "Site"]
    assert {r[0]: r[9] for r in rows[1:]} == {"Chat": "26.32", "Voice support": "85.00"}
    book = load_workbook(io.BytesIO(client.get("/kpis/export/", {"as": "xlsx"}).content))
    assert book.active["A1"].value == "Queue"


def test_the_queue_page_draws_its_trend(login, support, week):
    response = login(Role.VIEWER).get(f"/kpis/queues/{support.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="queue-chart"' in html and "<svg" in html


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_vendor_managers_get_the_import_form(login, role):
    html = login(role).get("/kpis/import/").content.decode()
    assert ('data-testid="import-form"' in html) == (role in {Role.MANAGER,
                                                              Role.VENDOR_MANAGER})


def test_a_viewer_cannot_post_an_import(login, support):
    response = login(Role.VIEWER).post("/kpis/import/", {"file": SimpleUploadedFile(
        "w.csv", b"queue,start,offered,answered,abandoned\n")})
    assert response.status_code == 403


HEADER = b"queue,start,offered,answered,answered_within_threshold,abandoned\n"


def test_the_import_page_lists_every_bad_row_then_imports_the_fixed_file(login, support):
    client = login(Role.MANAGER)
    bad = (HEADER + b"Voice support,2026-11-30 09:00,10,8,6,2\n"
           b"Voice support,2026-11-30 09:30,x,8,6,2\n")
    response = client.post("/kpis/import/", {"file": SimpleUploadedFile("w.csv", bad),
                                             "format": "generic", "interval_minutes": 30,
                                             "time_zone": "UTC"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="import-error"><td>3</td><td>offered</td>' in html
    assert not IntervalStat.objects.exists()
    good = bad.replace(b",x,", b",10,")
    response = client.post("/kpis/import/", {"file": SimpleUploadedFile("w.csv", good),
                                             "format": "generic", "interval_minutes": 30,
                                             "time_zone": "UTC"}, follow=True)
    assert "Imported 2 intervals: 2 new, 0 replaced." in response.content.decode()
    assert IntervalStat.objects.count() == 2


def test_preview_shows_counts_and_writes_nothing(login, support):
    good = HEADER + b"Voice support,2026-11-30 09:00,10,8,6,2\n"
    response = login(Role.MANAGER).post("/kpis/import/", {
        "file": SimpleUploadedFile("w.csv", good), "format": "generic",
        "interval_minutes": 30, "time_zone": "UTC", "preview": "on"})
    assert 'data-testid="import-preview"' in response.content.decode()
    assert not IntervalStat.objects.exists()


def test_an_unknown_time_zone_is_a_form_error(login, support):
    response = login(Role.MANAGER).post("/kpis/import/", {
        "file": SimpleUploadedFile("w.csv", HEADER), "format": "generic",
        "interval_minutes": 30, "time_zone": "Mars/Olympus"})
    assert response.status_code == 400 and "Unknown time zone" in response.content.decode()


@pytest.mark.parametrize("format", ["generic", "amazon_connect", "genesys_cloud"])
def test_sample_files_download(login, format):
    response = login(Role.VIEWER).get(f"/kpis/import/sample/{format}/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_the_incident_page_shows_lost_contacts_against_the_baseline(login, manager, support,
                                                                     add_interval):
    # Four earlier Mondays at 09:00 answered 100 each; during the incident only 40.
    for weeks in range(1, 5):
        add_interval(support, at(30, 9) - timedelta(weeks=weeks), offered=110, answered=100,
                     answered_within_threshold=90, abandoned=10, abandoned_within_threshold=5)
    add_interval(support, at(30, 9), offered=70, answered=40, answered_within_threshold=10,
                 abandoned=30, abandoned_within_threshold=5)
    incident = incident_services.incident_declare(
        by=manager, title="Carrier outage", channels=[Channel.objects.get(key="voice")],
        at=at(30, 9, 5))
    incident.resolved_at = at(30, 9, 25)
    incident.save()
    html = login(Role.VIEWER).get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="incident-impact"' in html
    assert "60 contacts lost" in html


def test_the_vendor_page_shows_the_queues_it_runs(login, manager, support, add_interval):
    from kpis import services
    from vendors import services as vendor_services

    bpo = vendor_services.vendor_create(by=manager, name="Kaapstad", category="bpo")
    services.queue_update(queue=support, by=manager, vendor=bpo)
    add_interval(support, at(29, 9), offered=10, answered=10, answered_within_threshold=10)
    html = login(Role.VIEWER).get(bpo.get_absolute_url()).content.decode()
    assert 'data-testid="vendor-queues"' in html and "Voice support" in html


def test_the_dashboard_tile_shows_today_against_target(login, week):
    html = login(Role.VIEWER).get("/").content.decode()
    assert 'data-testid="kpi-tile"' in html and "Service level today" in html


@pytest.fixture
def spend_source():
    """A spend source as the budgets app would register one: 1,000.00 per queue."""
    from decimal import Decimal

    from kpis import spend

    def source(queue_ids, start, end):
        return Decimal("1000.00") * len(queue_ids)

    spend.register_spend_source(source)
    yield
    spend._SOURCES.remove(source)


@pytest.mark.parametrize("role", ROLES)
def test_cost_per_contact_only_for_money_roles(login, week, spend_source, role):
    html = login(role).get("/kpis/").content.decode()
    money = role in {Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE}
    assert ('data-testid="cost-per-contact"' in html) == money
    if money:
        assert "11.11" in html  # Voice support: 1,000.00 ÷ 90 contacts handled


def test_the_postmortem_shows_the_measured_impact(login, manager, support, add_interval):
    # The same lost contacts inside the post-mortem (core.registry slot "postmortem"),
    # drawn by kpis without incidents importing it.
    for weeks in range(1, 5):
        add_interval(support, at(30, 9) - timedelta(weeks=weeks), offered=110, answered=100,
                     answered_within_threshold=90, abandoned=10, abandoned_within_threshold=5)
    add_interval(support, at(30, 9), offered=70, answered=40, answered_within_threshold=10,
                 abandoned=30, abandoned_within_threshold=5)
    incident = incident_services.incident_declare(
        by=manager, title="Carrier outage", channels=[Channel.objects.get(key="voice")],
        at=at(30, 9, 5))
    incident = incident_services.incident_triage(incident=incident, by=manager,
                                                 severity=Severity.objects.get(key="SEV2"),
                                                 commander=manager, at=at(30, 9, 10))
    incident = incident_services.incident_resolve(incident=incident, by=manager,
                                                  summary="Carrier fixed.", at=at(30, 9, 25))
    html = login(Role.VIEWER).get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="postmortem-impact"' not in html  # no post-mortem yet
    incident_services.incident_start_postmortem(incident=incident, by=manager,
                                                at=at(30, 10))
    html = login(Role.VIEWER).get(incident.get_absolute_url()).content.decode()
    section = html[html.index('id="postmortem"'):]
    assert 'data-testid="postmortem-impact"' in section
    assert "60 contacts lost" in section[section.index("postmortem-impact"):]
