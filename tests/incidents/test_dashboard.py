"""The home dashboard's incident part: open incidents by severity, the open list, and
response times of the last 90 days, at a constant query count."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import services
from incidents.models import Channel, Severity

pytestmark = pytest.mark.django_db


@pytest.fixture
def severities(db):
    return {s.key: s for s in Severity.objects.all()}


def declare(by, severity, title="Outage", *, at=None, channels=("voice",)):
    return services.incident_declare(
        by=by, title=title, severity=severity, commander=by, at=at,
        channels=list(Channel.objects.filter(key__in=channels)))


def count_in(html, testid):
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, f"{testid} not on the page"
    return match.group(1).strip()


def test_dashboard_shows_open_incidents_by_severity_with_real_counts(client, manager,
                                                                     severities):
    first = declare(manager, severities["SEV1"], "Carrier SIP trunk failure")
    second = declare(manager, severities["SEV1"], "CCaaS login outage")
    services.incident_triage(incident=second, by=manager)
    chat = declare(manager, severities["SEV2"], "Chatbot looping", channels=("bot", "chat"))
    over = declare(manager, severities["SEV2"], "SMS gateway delays")
    services.incident_triage(incident=over, by=manager)
    services.incident_resolve(incident=over, by=manager, summary="Route fixed")
    client.force_login(manager)

    html = client.get("/").content.decode()

    assert count_in(html, "open-incidents-total") == "3"
    assert count_in(html, "open-sev1-count") == "2"
    assert count_in(html, "open-sev2-count") == "1"
    assert count_in(html, "open-sev3-count") == "0"
    assert count_in(html, "open-sev4-count") == "0"
    assert "open-unassessed" not in html
    assert f"border-top: .35rem solid {severities['SEV1'].colour}" in html
    for incident in (first, second, chat):
        assert f'href="{incident.get_absolute_url()}">{incident.reference}</a>' in html
    tile = html[html.index('data-testid="open-incidents"'):]
    assert over.get_absolute_url() not in tile  # resolved: no longer open
    assert "Chat, Chatbot / virtual agent" in html
    # Newest first.
    assert html.index(chat.reference) < html.index(second.reference) < html.index(
        first.reference)
    # The system figures are on the System health page, linked for managers.
    assert 'data-testid="system-health-link"' in html


def test_dashboard_counts_incidents_declared_without_severity(client, manager):
    services.incident_declare(by=manager, title="Something is off with the IVR")
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert count_in(html, "open-unassessed-count") == "1"
    assert "No severity yet" in html


def test_dashboard_shows_response_times_of_the_last_90_days_per_severity(client, manager,
                                                                         severities):
    now = timezone.now()
    start = now - timedelta(days=10)
    incident = declare(manager, severities["SEV2"], at=start)
    services.incident_triage(incident=incident, by=manager, at=start + timedelta(minutes=20))
    services.incident_contain(incident=incident, by=manager, summary="Failover",
                              at=start + timedelta(hours=1, minutes=30))
    services.incident_resolve(incident=incident, by=manager, summary="Fixed",
                              at=start + timedelta(hours=6))
    # Outside the 90 days: not in the figures.
    old_start = now - timedelta(days=120)
    old = declare(manager, severities["SEV2"], at=old_start)
    services.incident_triage(incident=old, by=manager, at=old_start + timedelta(hours=5))
    client.force_login(manager)

    html = client.get("/").content.decode()

    row = re.search(r'data-testid="metrics-sev2">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["1", "20m", "1h 30m", "6h", "—"]
    overall = re.search(r'data-testid="metrics-overall">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', overall) == [
        "1", "20m", "1h 30m", "6h", "—"]
    assert "MTTA" in html and "MTTC" in html and "MTTR" in html


def test_no_open_incidents_says_so(client, viewer):
    client.force_login(viewer)
    html = client.get("/").content.decode()
    assert count_in(html, "open-incidents-total") == "0"
    assert count_in(html, "open-incidents") == "No open incidents."


def test_people_who_may_not_see_incidents_do_not_get_the_incident_part(client, make_user,
                                                                       severities, manager):
    declare(manager, severities["SEV1"], "Carrier SIP trunk failure")
    client.force_login(make_user())  # an account without any role

    html = client.get("/").content.decode()

    assert "Carrier SIP trunk failure" not in html
    assert "open-incidents" not in html
    # Nor any other figure (issue 11): they are asked to get a role instead.
    assert 'data-testid="people-count">' not in html
    assert 'data-testid="no-role"' in html


def home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


def test_home_page_query_count_does_not_grow_with_incidents(client, manager, severities):
    client.force_login(manager)
    declare(manager, severities["SEV1"], "First", channels=("voice", "ivr"))
    client.get("/")  # warm the per-process caches (content types, the session)
    with_one = home_queries(client)

    for n in range(15):
        incident = declare(manager, severities[f"SEV{n % 4 + 1}"], f"Incident {n}",
                           channels=("chat", "email", "sms"))
        if n % 3 == 0:
            services.incident_triage(incident=incident, by=manager)
            services.incident_resolve(incident=incident, by=manager, summary="Fixed")

    assert home_queries(client) == with_one
