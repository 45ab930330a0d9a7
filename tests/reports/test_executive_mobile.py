"""The executive page at phone width: no sideways scrolling at 390 px, with every
section (money included) drawn. A screenshot is left in the temp folder for a person.
(The full journey — a manager opening the dashboard — is in tests/e2e.)"""

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.choices import Role
from incidents.models import Channel, Severity
from incidents.services import incident_declare, incident_triage
from kpis import services as kpi_services
from kpis.models import COUNT_FIELDS, IntervalStat
from tests.e2e.conftest import browser, page  # noqa: F401 - the browser fixtures
from tests.e2e.steps import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_executive_page_fits_a_phone(page):  # noqa: F811
    manager = UserFactory(username="maria", roles=[Role.MANAGER])
    queue = kpi_services.queue_create(by=manager, name="Voice support with a long name",
                                      channel="voice")
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    for n in range(6):
        IntervalStat.objects.create(queue=queue, start=start + timedelta(minutes=30 * n),
                                    length_minutes=30, **{
                                        **dict.fromkeys(COUNT_FIELDS, 0), "offered": 100,
                                        "answered": 90, "answered_within_threshold": 70,
                                        "abandoned": 10, "handled": 90})
    incident = incident_declare(by=manager, title="Carrier outage",
                                severity=Severity.objects.get(key="SEV1"),
                                channels=[Channel.objects.get(key="voice")],
                                at=start + timedelta(minutes=20))
    incident_triage(incident=incident, by=manager, commander=manager,
                    at=start + timedelta(minutes=30))

    log_in(page, "maria")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/reports/executive/")
    expect(page.get_by_role("heading", name="How operations are going")).to_be_visible()
    expect(page.get_by_test_id("section-budgets")).to_be_attached()
    expect(page.get_by_test_id("chart-service-level")).to_be_visible()
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "executive-390.png"),
                    full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width} px wide"
