"""The migrations that key runs by owner (0006-0008) carry every run and history row
back to the per-kind foreign keys and forward again, on the real schema."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from escalations import services as escalation_services
from incidents import services as incident_services
from playbooks import services
from playbooks.models import PlaybookRun

BEFORE = [("playbooks", "0005_rule_extra_conditions")]

# The schema changes under the test's feet: a transaction per migration. No
# serialized_rollback: the flush after a transactional test re-seeds the reference rows
# (post_migrate), and restoring a snapshot on top of them collides (auth_group.name).
pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _owners(model):
    """{run id: (incident id, escalation id)} for runs or their history rows."""
    return {row.pk: (row.incident_id, row.escalation_id) for row in model.objects.all()}


def test_runs_keep_their_owner_back_to_the_foreign_keys_and_forward(
        make_playbook, manager, responder, lead, customer, severity):
    incident = incident_services.incident_declare(by=responder, title="Calls failing",
                                                  severity=severity["SEV3"])
    escalation = escalation_services.escalation_create(
        by=lead, customer=customer, category="billing", priority="P3", summary="Wrong bill")
    on_incident = services.playbook_attach(playbook=make_playbook(name="A"), obj=incident,
                                           by=manager)
    on_escalation = services.playbook_attach(
        playbook=make_playbook(name="B", kind="escalation"), obj=escalation, by=manager)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("playbooks")
    # Every run, the starter library's too (its rules may match these objects).
    keyed = {run.pk: (run.owner_kind, run.object_id) for run in PlaybookRun.objects.all()}
    assert {on_incident.pk: ("incident", incident.pk),
            on_escalation.pk: ("escalation", escalation.pk)}.items() <= keyed.items()
    as_columns = {pk: (object_id if kind == "incident" else None,
                       object_id if kind == "escalation" else None)
                  for pk, (kind, object_id) in keyed.items()}

    try:
        old = _migrate(BEFORE)
        assert _owners(old.get_model("playbooks", "PlaybookRun")) == as_columns
        history = old.get_model("playbooks", "HistoricalPlaybookRun")
        assert {(row.id, row.incident_id, row.escalation_id)
                for row in history.objects.all()} == {
            (pk, *columns) for pk, columns in as_columns.items()}
    finally:
        _migrate(latest)

    assert {run.pk: (run.owner_kind, run.object_id)
            for run in PlaybookRun.objects.all()} == keyed
    assert {(row.id, row.content_type.model, row.object_id)
            for row in PlaybookRun.history.all()} == {
        (pk, kind, object_id) for pk, (kind, object_id) in keyed.items()}
    assert PlaybookRun.objects.get(pk=on_escalation.pk).owner == escalation
    assert list(PlaybookRun.objects.of(incident)) == [on_incident]
