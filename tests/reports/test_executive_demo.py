"""The executive page, PDF and exports against the demo data (``seed_demo``): each opens
for a money role and a non-money role, with the selectors' numbers."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from core.choices import Role
from incidents.selectors import incident_metrics
from reports.executive import period_from
from vendors.sla_selectors import vendors_ranked

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ESCALATION_LEAD])
def test_the_demo_quarter_opens_in_every_format(seeded, client, make_user, role):
    client.force_login(make_user(role, username=f"demo-{role}".replace(" ", "")))
    response = client.get(reverse("reports:executive") + "?period=quarter")
    assert response.status_code == 200
    report = response.context["report"]
    period = period_from({"period": "quarter"})
    assert report.incidents.metrics.overall == incident_metrics(
        since=period.start, until=period.end, groups=()).overall
    assert report.vendors.ranked == vendors_ranked(month=report.vendors.month)
    assert report.vendors.ranked, "the demo scores its vendors"
    assert (report.budgets is not None) == (role == Role.FINANCE)

    pdf = client.get(reverse("reports:executive_pdf") + "?period=quarter")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Vendors" in text and report.vendors.ranked[0]["name"] in text
    assert ("Budgets" in text) == (role == Role.FINANCE)

    xlsx = client.get(reverse("reports:executive_export", args=["xlsx"]) + "?period=quarter")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book["Kpis"].max_row > 1


def test_a_demo_post_mortem_exports(seeded, client, make_user):
    from incidents.models import PostMortem

    published = PostMortem.objects.filter(state="published").first()
    if published is None:
        pytest.fail("the demo has a published post-mortem")
    client.force_login(make_user(Role.VIEWER, username="demo-viewer"))
    markdown = client.get(reverse("reports:postmortem_markdown", args=[published.incident_id]))
    assert markdown.status_code == 200
    assert published.incident.reference in markdown.content.decode()
    pdf = client.get(reverse("reports:postmortem_pdf", args=[published.incident_id]))
    assert PdfReader(io.BytesIO(pdf.content)).pages
