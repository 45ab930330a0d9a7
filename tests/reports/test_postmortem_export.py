"""Post-mortem export (PDF and Markdown): a real post-mortem written, reviewed and
published through the incidents services; its text, timeline, impact, action items and
sign-off in both formats, the cost for money roles only, and no raw HTML from user text."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from core.choices import Role
from incidents.models import Channel, Severity
from incidents.services import (
    action_item_create,
    incident_contain,
    incident_declare,
    incident_resolve,
    incident_start_postmortem,
    incident_triage,
    postmortem_edit,
    postmortem_get_or_create,
    postmortem_transition,
)
from kpis import services as kpi_services
from kpis.models import COUNT_FIELDS, IntervalStat
from kpis.selectors import incident_impact
from reports.postmortem_export import postmortem_document, postmortem_to_markdown

NOW = datetime(2026, 5, 20, 9, tzinfo=UTC)
DECLARED = datetime(2026, 5, 12, 10, tzinfo=UTC)
ANONYMOUS = "anonymous"
ROLES = [Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE, Role.INCIDENT_RESPONDER,
         Role.ESCALATION_LEAD, Role.VIEWER]
MONEY_ROLES = {Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE}
INJECTION = ('The widget failed. <script>alert("x")</script>'
             '<img src="http://10.0.0.1/track.png"> **Bold claim**')


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(make_user):
    return {role: make_user(role, username=f"u-{role}".replace(" ", "").lower(),
                            first_name=role.split()[0], last_name="Person")
            for role in ROLES}


@pytest.fixture
def published(people):
    manager, responder = people[Role.MANAGER], people[Role.INCIDENT_RESPONDER]
    # The chat queue's intervals: the incident's window and the four weeks before it.
    queue = kpi_services.queue_create(by=manager, name="Chat", channel="chat")
    for week in range(5):
        start = DECLARED - timedelta(weeks=week)
        answered = 40 if week == 0 else 95
        IntervalStat.objects.create(queue=queue, start=start, length_minutes=15, **{
            **dict.fromkeys(COUNT_FIELDS, 0), "offered": 100, "answered": answered,
            "answered_within_threshold": answered - 5, "abandoned": 100 - answered,
            "handled": answered})
    incident = incident_declare(by=responder, title="Chat widget not loading",
                                severity=Severity.objects.get(key="SEV2"),
                                channels=[Channel.objects.get(key="chat")], at=DECLARED,
                                summary="Customers see a blank chat panel.")
    incident = incident_triage(incident=incident, by=responder, commander=responder,
                               at=DECLARED + timedelta(minutes=5))
    incident = incident_contain(incident=incident, by=responder, summary="CDN rolled back",
                                at=DECLARED + timedelta(minutes=12))
    incident = incident_resolve(incident=incident, by=responder, summary="Config fixed",
                                at=DECLARED + timedelta(minutes=14))
    incident = incident_start_postmortem(incident=incident, by=responder,
                                         at=DECLARED + timedelta(days=1))
    postmortem = postmortem_get_or_create(incident=incident, by=responder)
    postmortem = postmortem_edit(
        postmortem=postmortem, by=responder, summary=INJECTION,
        root_cause="An expired CDN certificate.", reviewer=manager,
        five_whys="The widget did not load\nThe CDN refused TLS",
        lessons="Alert on certificate expiry.")
    action_item_create(incident=incident, by=responder, kind="preventive",
                       title="Certificate expiry alert", owner=responder,
                       due_date=date(2026, 6, 1))
    postmortem = postmortem_transition(postmortem=postmortem, by=responder, name="submit")
    postmortem_transition(postmortem=postmortem, by=manager, name="publish")
    return incident


def pdf_url(incident):
    return reverse("reports:postmortem_pdf", args=[incident.pk])


def md_url(incident):
    return reverse("reports:postmortem_markdown", args=[incident.pk])


def test_the_markdown_has_the_text_timeline_impact_actions_and_sign_off(published, client,
                                                                         people):
    client.force_login(people[Role.MANAGER])
    response = client.get(md_url(published))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert response["Content-Disposition"] == \
        f'attachment; filename="postmortem-{published.reference}.md"'
    text = response.content.decode()
    assert text.startswith(f"# Post-mortem: {published.reference} — Chat widget not loading")
    assert "## Root cause\n\nAn expired CDN certificate." in text
    assert "1. The widget did not load\n2. The CDN refused TLS" in text
    impact = incident_impact(published)
    assert impact.lost_contacts == 55
    assert "Contacts lost against the 4-week baseline: **55**" in text
    assert "Post-mortem published." in text  # the timeline
    assert "| Preventive | Certificate expiry alert | Incident Person | 2026-06-01 | Open |" \
        in text
    assert "## Sign-off" in text and "Reviewer: Manager Person" in text
    assert "## Cost" in text
    # User HTML stays text when the Markdown is rendered; its Markdown stays Markdown.
    assert "<script>" not in text and "&lt;script>" in text and "**Bold claim**" in text


def test_the_pdf_opens_with_headings_and_figures_and_no_raw_html(published, client, people):
    client.force_login(people[Role.FINANCE])
    response = client.get(pdf_url(published))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("Post-mortem", "Root cause", "Impact", "Cost", "Timeline",
                    "Action items", "Sign-off", "Five whys"):
        assert heading in text, heading
    assert "Contacts lost: 55" in text
    assert "Certificate expiry alert" in text
    assert "Bold claim" in text and "alert(" not in text and "<script>" not in text


def test_the_document_leaves_money_out_for_other_roles(published, people):
    from incidents.models import PostMortem

    postmortem = PostMortem.objects.get(incident=published)
    doc = postmortem_document(postmortem, user=people[Role.INCIDENT_RESPONDER])
    assert doc.cost is None and not doc.money
    assert "## Cost" not in postmortem_to_markdown(doc)
    assert postmortem_document(postmortem, user=people[Role.FINANCE]).cost is not None


@pytest.mark.parametrize("role", ROLES)
def test_whoever_views_the_incident_exports_it(published, client, people, role):
    client.force_login(people[role])
    markdown = client.get(md_url(published))
    assert markdown.status_code == 200
    assert ("## Cost" in markdown.content.decode()) == (role in MONEY_ROLES)
    pdf = PdfReader(io.BytesIO(client.get(pdf_url(published)).content))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert ("Cost" in text.split("Timeline")[0].split("Impact")[-1]) == (role in MONEY_ROLES)


def test_anonymous_is_sent_to_sign_in(published, client):
    for address in (pdf_url(published), md_url(published)):
        response = client.get(address)
        assert response.status_code == 302 and "login" in response["Location"]


def test_a_post_mortem_not_yet_published_is_not_exported(people, client):
    responder = people[Role.INCIDENT_RESPONDER]
    incident = incident_declare(by=responder, title="Draft only",
                                severity=Severity.objects.get(key="SEV3"), at=DECLARED)
    client.force_login(people[Role.MANAGER])
    assert client.get(md_url(incident)).status_code == 404
    assert client.get(pdf_url(incident)).status_code == 404


def test_the_incident_page_links_to_the_exports_once_published(published, client, people,
                                                                 monkeypatch):
    from core import registry
    from reports import executive_contributions

    # reports.contributions.register() will call this; here it registers into a copy of
    # the registry so that other tests' pages stay as they were.
    monkeypatch.setattr(registry, "_PANELS", dict(registry._PANELS))
    executive_contributions.register()
    client.force_login(people[Role.VIEWER])
    html = client.get(published.get_absolute_url()).content.decode()
    assert 'data-testid="postmortem-exports"' in html
    assert md_url(published) in html and pdf_url(published) in html
