"""The KPI API: permissions per role, the batch push (all or nothing, every bad item
named), the metrics endpoint (sums then formula, constant queries), queues through the
services."""

from decimal import Decimal

import pytest

from core.choices import Role
from kpis.models import IntervalImport, IntervalStat, Queue
from tests.factories import ANONYMOUS
from tests.kpis.conftest import at

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
MANAGES = {Role.MANAGER, Role.VENDOR_MANAGER}


def item(start="2026-11-30T09:00:00Z", **values):
    return {"queue": "Voice support", "start": start, "offered": 10, "answered": 8,
            "answered_within_threshold": 6, "abandoned": 2, "abandoned_within_threshold": 1,
            **values}


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_every_role_reads_queues_intervals_and_metrics(as_role, support, add_interval, role):
    add_interval(support, at(30), offered=4, answered=4)
    client = as_role(role)
    paths = ["/api/queues/", f"/api/queues/{support.pk}/", "/api/intervals/",
             "/api/interval-imports/",
             "/api/kpi-metrics/?start=2026-11-01T00:00:00Z&end=2026-12-01T00:00:00Z"]
    statuses = {client.get(path).status_code for path in paths}
    assert statuses == ({403} if role == ANONYMOUS else {200})


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_vendor_managers_push_and_manage_queues(as_role, support, role):
    client = as_role(role)
    pushed = client.post("/api/intervals/batch/", {"intervals": [item()]}, format="json")
    created = client.post("/api/queues/", {"name": "Billing", "channel": "voice"},
                          format="json")
    changed = client.patch(f"/api/queues/{support.pk}/", {"target_percent": "85.00"},
                           format="json")
    expected = (201, 201, 200) if role in MANAGES else (403, 403, 403)
    assert (pushed.status_code, created.status_code, changed.status_code) == expected


def test_a_push_is_all_or_nothing_and_names_every_bad_item(api_as, manager, support):
    client = api_as(manager)
    response = client.post("/api/intervals/batch/", {"intervals": [
        item(), item("2026-11-30T09:30:00Z", offered="many"),
        item("2026-11-30T10:00:00Z", queue="Ghost")]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_refused"
    assert [(r["row"], r["column"]) for r in body["rows"]] == [(2, "offered"), (3, "queue")]
    assert "row 2: offered" in body["errors"]
    assert IntervalStat.objects.count() == 0
    assert IntervalImport.objects.get().outcome == "refused"


def test_a_push_again_replaces(api_as, manager, support):
    client = api_as(manager)
    first = client.post("/api/intervals/batch/", {"intervals": [item()]}, format="json")
    again = client.post("/api/intervals/batch/", {"intervals": [item(offered=12)]},
                        format="json")
    assert first.json()["created"] == 1
    assert (again.json()["created"], again.json()["replaced"]) == (0, 1)
    assert IntervalStat.objects.get().offered == 12


def test_a_dry_run_writes_nothing(api_as, manager, support):
    response = api_as(manager).post("/api/intervals/batch/",
                                    {"intervals": [item()], "dry_run": True}, format="json")
    assert response.status_code == 200 and response.json()["created"] == 1
    assert not IntervalStat.objects.exists()


def test_an_empty_push_is_a_400_naming_intervals(api_as, manager):
    response = api_as(manager).post("/api/intervals/batch/", {"intervals": []}, format="json")
    assert response.status_code == 400 and "intervals" in response.json()["errors"]


def test_metrics_sum_then_compute_and_group(api_as, viewer, support, chat, add_interval):
    add_interval(support, at(29), offered=10, answered=10, answered_within_threshold=10)
    add_interval(support, at(30), offered=90, answered=90, answered_within_threshold=45)
    add_interval(chat, at(30), offered=5, answered=5, answered_within_threshold=5)
    client = api_as(viewer)
    response = client.get("/api/kpi-metrics/", {
        "start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z", "group_by": "queue",
        "queue": support.pk})
    [row] = response.json()
    assert (row["label"], row["offered"], row["service_level"]) == ("Voice support", 100,
                                                                     "55.00")
    assert "cost_per_contact" not in row
    by_day = client.get("/api/kpi-metrics/", {
        "start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z", "group_by": "day"})
    assert [(r["key"][:10], r["offered"]) for r in by_day.json()] == [("2026-11-29", 10),
                                                                      ("2026-11-30", 95)]


@pytest.mark.parametrize(("params", "field"), [
    ({"end": "2026-12-01T00:00:00Z"}, "start"),
    ({"start": "2026-12-01T00:00:00Z", "end": "2026-11-01T00:00:00Z"}, "end"),
    ({"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z", "group_by": "x"},
     "group_by"),
    ({"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z", "time_zone": "Mars"},
     "time_zone"),
    ({"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z", "queue": "¹"}, "queue"),
])
def test_bad_metric_queries_are_400_naming_the_parameter(api_as, viewer, params, field):
    response = api_as(viewer).get("/api/kpi-metrics/", params)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_metrics_cost_a_constant_number_of_queries(api_as, manager, add_interval,
                                                   django_assert_max_num_queries):
    from kpis import services

    for n in range(8):
        queue = services.queue_create(by=manager, name=f"Queue {n}")
        for hour in range(9, 12):
            add_interval(queue, at(30, hour), offered=5, answered=5)
    client = api_as(manager)
    with django_assert_max_num_queries(8):
        response = client.get("/api/kpi-metrics/", {"start": "2026-11-30T00:00:00Z",
                                                     "end": "2026-12-01T00:00:00Z"})
    assert len(response.json()) == 8


def test_interval_list_is_a_constant_number_of_queries(api_as, manager, support, add_interval,
                                                       django_assert_max_num_queries):
    for hour in range(24):
        add_interval(support, at(30, hour), offered=1, answered=1)
    client = api_as(manager)
    with django_assert_max_num_queries(6):
        response = client.get("/api/intervals/", {"queue": support.pk})
    assert len(response.json()["results"]) == 24


def test_queue_settings_are_validated_naming_the_field(api_as, manager):
    response = api_as(manager).post("/api/queues/", {"name": "X", "target_percent": "140"},
                                    format="json")
    assert response.status_code == 400 and "target_percent" in response.json()["errors"]
    assert not Queue.objects.exists()


def test_a_queue_change_is_audited(api_as, manager, support):
    api_as(manager).patch(f"/api/queues/{support.pk}/", {"target_percent": "85.00"},
                          format="json")
    support.refresh_from_db()
    assert support.target_percent == Decimal("85.00")
    latest = support.history.first()
    assert latest.history_user == manager and latest.history_change_reason
