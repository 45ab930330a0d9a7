"""Playbooks in the admin: every model listed with history, edits through the services
(a published version's steps refused on the form), versions published as actions."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from core.choices import Role
from playbooks import services
from playbooks.choices import VersionState
from playbooks.models import AttachRule, PlaybookStep

pytestmark = pytest.mark.django_db

MODELS = ["playbook", "playbookversion", "playbookstep", "attachrule", "playbookrun",
          "steprun"]


@pytest.fixture
def carrier(make_playbook):
    return make_playbook()


@pytest.mark.parametrize("model", MODELS)
def test_every_model_is_listed_with_history(client, manager, carrier, model):
    client.force_login(manager)
    assert client.get(reverse(f"admin:playbooks_{model}_changelist")).status_code == 200


def test_a_draft_step_is_edited_through_the_service(client, manager, carrier):
    draft = services.version_new_draft(playbook=carrier, by=manager)
    step = draft.steps.first()
    client.force_login(manager)
    url = reverse("admin:playbooks_playbookstep_change", args=[step.pk])
    response = client.post(url, {"title": "Open the carrier ticket", "instructions": "",
                                 "responsible_role": "", "due_offset": "00:05:00",
                                 "required": "on", "evidence": "link"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.title == "Open the carrier ticket" and step.due_offset == timedelta(minutes=5)
    assert step.history.first().history_change_reason.startswith("Step 1 edited")


def test_a_published_step_is_refused_on_the_form(client, manager, carrier):
    step = services.published_version(carrier).steps.first()
    client.force_login(manager)
    url = reverse("admin:playbooks_playbookstep_change", args=[step.pk])
    response = client.post(url, {"title": "Changed", "instructions": "", "responsible_role": "",
                                 "due_offset": "", "evidence": "none"})
    assert response.status_code == 200
    assert "start a new draft" in response.content.decode()
    assert PlaybookStep.objects.get(pk=step.pk).title != "Changed"


def test_a_rule_without_conditions_is_refused_on_the_form(client, manager, carrier):
    client.force_login(manager)
    response = client.post(reverse("admin:playbooks_attachrule_add"), {"playbook": carrier.pk,
                                                                      "min_priority": ""})
    assert response.status_code == 200
    assert "Set at least one condition" in response.content.decode()
    assert not AttachRule.objects.filter(playbook=carrier).exists()


def test_publish_action_retires_the_old_version(client, manager, carrier):
    draft = services.version_new_draft(playbook=carrier, by=manager)
    client.force_login(manager)
    response = client.post(reverse("admin:playbooks_playbookversion_changelist"),
                           {"action": "publish_selected", ACTION_CHECKBOX_NAME: [draft.pk]})
    assert response.status_code == 302
    assert any("Published: 1" in str(m) for m in get_messages(response.wsgi_request))
    draft.refresh_from_db()
    assert draft.state == VersionState.PUBLISHED
    assert carrier.versions.get(number=1).state == VersionState.RETIRED


def test_vendor_manager_reads_playbooks_but_cannot_publish(client, make_user, carrier, manager):
    draft = services.version_new_draft(playbook=carrier, by=manager)
    client.force_login(make_user(Role.VENDOR_MANAGER, is_staff=True))
    changelist = reverse("admin:playbooks_playbookversion_changelist")
    assert client.get(changelist).status_code == 200
    client.post(changelist, {"action": "publish_selected", ACTION_CHECKBOX_NAME: [draft.pk]})
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT
