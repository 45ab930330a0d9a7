"""On PostgreSQL, an unfiltered list over the threshold reports the table's estimated
size (``pg_class.reltuples``) instead of counting every row; any filter counts
exactly (``core.pagination``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def _walk(client, url, params):
    """Follow ``next`` from the first page: every item's name, and the pages read."""
    names, pages, response = [], 0, client.get(url, params).json()
    while True:
        pages += 1
        names += [item["name"] for item in response["results"]]
        if not response["next"]:
            return names, pages
        response = client.get(response["next"]).json()


def test_a_search_matching_more_than_the_cap_shows_an_estimate_and_pages_to_the_end(
        teams_analyzed_at_30, monkeypatch, api_as, viewer):
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 3)
    client = api_as(viewer)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/api/teams/", {"search": "statistics", "page_size": 2}).json()
    # Counted up to the cap (a read of at most four rows), then the planner's figure,
    # never below what was counted.
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 4" in counts[0]
    assert any(q["sql"].startswith("EXPLAIN") for q in queries.captured_queries)
    assert first["count"] >= 4
    names, pages = _walk(client, "/api/teams/", {"search": "statistics", "page_size": 2})
    assert len(names) == len(set(names)) == 5 and pages == 3  # the last page says no next
    past_the_end = client.get("/api/teams/", {"search": "statistics", "page_size": 2,
                                              "page": 4})
    assert past_the_end.status_code == 404
    assert client.get("/api/teams/", {"search": "statistics", "page": 0}).status_code == 404


def test_a_search_within_the_cap_is_exact(teams_analyzed_at_30, monkeypatch, api_as, viewer):
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 5)
    response = api_as(viewer).get("/api/teams/", {"search": "statistics"}).json()
    assert response["count"] == 5 == len(response["results"]) and response["next"] is None


def test_every_row_is_reachable_when_the_estimate_is_below_the_truth(
        teams_analyzed_at_30, api_as, viewer):
    """The statistics say 30 teams, there are 35: the fourth page of ten is served,
    not refused as past the (estimated) end."""
    client = api_as(viewer)
    names, pages = _walk(client, "/api/teams/", {"page_size": 10})
    assert len(set(names)) == 35 and pages == 4
    last = client.get("/api/teams/", {"page_size": 10, "page": 4}).json()
    assert len(last["results"]) == 5 and last["next"] is None
    assert client.get("/api/teams/", {"page_size": 10, "page": 5}).status_code == 404


def test_the_web_list_says_about_for_a_broad_filter_and_survives_a_page_past_the_end(
        monkeypatch, client, manager):
    from escalations import services
    from escalations.models import Customer

    for n in range(30):
        services.customer_create(by=manager, name=f"Customer {n}",
                                 account_reference=f"ACC-{n:06d}", tier="standard")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 10)
    client.force_login(manager)
    page = client.get("/escalations/customers/", {"tier": "standard"}).content.decode()
    assert 'data-testid="customer-count">About ' in page and "match the filters" in page
    # Past the last row (a page number from an old link): the first page, not an error.
    response = client.get("/escalations/customers/", {"tier": "standard", "page": 99})
    assert response.status_code == 200
    assert 'data-testid="customer-count">About ' in response.content.decode()


@pytest.mark.parametrize("shape", ["annotated", "distinct", "union"])
def test_grouped_distinct_and_combined_lists_over_the_cap_are_estimated_and_paged(
        monkeypatch, shape):
    """Their primary keys alone would be other rows: planned as they are."""
    from django.db.models import Count

    from core.models import Team

    monkeypatch.setattr(pagination, "EXACT_UP_TO", 2)
    TeamFactory.create_batch(5, description="Night desk")
    night = Team.objects.filter(description="Night desk")
    middle = night.order_by("pk")[2].pk
    queryset = {
        "annotated": lambda: night.annotate(people=Count("members")).order_by("pk"),
        "distinct": lambda: night.filter(members__isnull=True).distinct().order_by("pk"),
        "union": lambda: night.filter(pk__lte=middle).union(
            night.filter(pk__gt=middle)).order_by("pk"),
    }[shape]()
    paginator = pagination.EstimatedCountPaginator(queryset, 2)
    assert paginator.count >= 3 and paginator.count_is_estimate
    pages = [paginator.page(number) for number in (1, 2, 3)]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [page.has_next() for page in pages] == [True, True, False]
