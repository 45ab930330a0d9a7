"""Which lists may show an estimated count (``core.pagination``): only a whole table.
Everywhere else — and always on SQLite — the count is exact, as before."""

import pytest
from django.db.models import Count

from core.models import Team
from core.pagination import (
    EstimatedCountPaginator,
    capped_count,
    estimated_count,
    reads_whole_table,
)
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_only_a_whole_table_may_be_estimated():
    assert reads_whole_table(Team.objects.all())
    assert reads_whole_table(Team.objects.select_related("lead").order_by("-pk"))
    assert not reads_whole_table(Team.objects.filter(name__icontains="desk"))
    assert not reads_whole_table(Team.objects.exclude(lead=None))
    assert not reads_whole_table(Team.objects.filter(members__isnull=False).distinct())
    assert not reads_whole_table(Team.objects.values("lead").annotate(n=Count("pk")))
    assert not reads_whole_table(Team.objects.all()[:5])
    assert not reads_whole_table(Team.objects.all().union(Team.objects.all()))
    assert not reads_whole_table(Team.objects.extra(where=["1 = 1"]))


def test_sqlite_counts_exactly(django_assert_num_queries):
    for n in range(3):
        TeamFactory(name=f"Team {n}", slug=f"team-{n}")
    assert estimated_count(Team.objects.all()) is None
    paginator = EstimatedCountPaginator(Team.objects.order_by("pk"), 2)
    with django_assert_num_queries(1):  # the COUNT(*), as Django's paginator
        assert paginator.count == 3
    assert not paginator.count_is_estimate
    assert EstimatedCountPaginator([1, 2, 3], 2).count == 3  # a list is counted as ever


def test_sqlite_counts_a_filter_exactly_and_pages_as_django_does(monkeypatch):
    from core import pagination

    monkeypatch.setattr(pagination, "EXACT_UP_TO", 1)  # no cap here, however low
    for n in range(3):
        TeamFactory(name=f"Desk {n}", slug=f"desk-{n}")
    desks = Team.objects.filter(name__startswith="Desk").order_by("pk")
    assert capped_count(desks) is None
    paginator = EstimatedCountPaginator(desks, 2)
    assert paginator.count == 3 and not paginator.count_is_estimate
    assert [len(paginator.page(n)) for n in (1, 2)] == [2, 1]
    assert not paginator.page(2).has_next()
    assert paginator.get_page(9).number == 2  # Django's: past the end is the last page
