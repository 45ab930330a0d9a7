"""On PostgreSQL, an unfiltered list over the threshold reports the table's estimated
size (``pg_class.reltuples``) instead of counting every row; any filter counts
exactly (``core.pagination``)."""

import pytest
from django.db import connection

from core import pagination
from tests.factories import TeamFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def teams_analyzed_at_30(monkeypatch):
    """30 teams measured by ANALYZE, then 5 more the statistics do not know of yet."""
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 20)
    TeamFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_team")
    TeamFactory.create_batch(5, description="Added after the statistics")


def test_unfiltered_list_shows_the_estimate_and_a_filter_counts_exactly(
        teams_analyzed_at_30, api_as, viewer):
    client = api_as(viewer)
    unfiltered = client.get("/api/teams/", {"page_size": 10}).json()
    assert unfiltered["count"] == 30  # the statistics' figure, not the 35 there are
    assert len(unfiltered["results"]) == 10 and unfiltered["next"]

    searched = client.get("/api/teams/", {"search": "statistics"}).json()
    assert searched["count"] == 5 == len(searched["results"])
    everything = client.get("/api/teams/", {"search": "Team"}).json()
    assert everything["count"] == 35


def test_below_the_threshold_the_count_is_exact(teams_analyzed_at_30, monkeypatch, api_as,
                                                viewer):
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 31)
    assert api_as(viewer).get("/api/teams/").json()["count"] == 35


def test_the_web_list_says_about_when_it_shows_an_estimate(teams_analyzed_at_30, client,
                                                           manager):
    from escalations import services
    from escalations.models import Customer

    for n in range(25):
        services.customer_create(by=manager, name=f"Customer {n}",
                                 account_reference=f"ACC-{n:06d}", tier="standard")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")
    client.force_login(manager)
    page = client.get("/escalations/customers/").content.decode()
    assert 'data-testid="customer-count">About 25 customers<' in page
    filtered = client.get("/escalations/customers/", {"tier": "standard"}).content.decode()
    assert 'data-testid="customer-count">25 customers match the filters<' in filtered
