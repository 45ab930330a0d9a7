"""The escalation admin: list with filters and search (no personal data), state
read-only, transitions as actions through the services, SLA policies editable."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from escalations import services
from escalations.choices import EscalationState, EscalationTimelineKind
from escalations.models import Escalation, EscalationSlaPolicy

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:escalations_escalation_changelist")


@pytest.fixture
def triaged(lead, customer):
    escalation = services.escalation_create(by=lead, customer=customer, category="complaint",
                                            priority="P2", summary="Billed twice", owner=lead)
    return services.escalation_triage(escalation=escalation, by=lead)


def test_list_filters_and_search(client, manager, lead, customer, triaged):
    other = services.escalation_create(by=lead, customer=customer, category="billing",
                                       priority="P3", summary="Rude agent")
    client.force_login(manager)
    page = client.get(CHANGELIST).content.decode()
    assert triaged.reference in page and other.reference in page
    assert "ACC-104200" in page and "Harriet" not in page  # the customer's reference only
    page = client.get(CHANGELIST, {"state__exact": "triaged"}).content.decode()
    assert triaged.reference in page and other.reference not in page
    page = client.get(CHANGELIST, {"q": "Rude"}).content.decode()
    assert other.reference in page and triaged.reference not in page
    for name in ("category__exact=billing", "priority__exact=P3", "tier__exact=L1"):
        assert client.get(f"{CHANGELIST}?{name}").status_code == 200


def test_change_page_shows_state_read_only_and_the_timeline(client, manager, triaged):
    client.force_login(manager)
    response = client.get(reverse("admin:escalations_escalation_change", args=[triaged.pk]))
    assert response.status_code == 200
    assert "state" in response.context["adminform"].readonly_fields
    assert "Triaged:" in response.content.decode()


def test_contain_action_goes_through_the_service(client, manager, triaged):
    client.force_login(manager)
    data = {"action": "contain_selected", ACTION_CHECKBOX_NAME: [triaged.pk]}
    form = client.post(CHANGELIST, data)
    assert form.status_code == 200 and b"Containment note" in form.content

    refused = client.post(CHANGELIST, {**data, "apply": "1", "containment_note": ""})
    assert any("interim remedy" in str(m) for m in get_messages(refused.wsgi_request))
    assert Escalation.objects.get(pk=triaged.pk).state == EscalationState.TRIAGED

    done = client.post(CHANGELIST, {**data, "apply": "1",
                                    "containment_note": "Called; credit applied."})
    assert done.status_code == 302
    escalation = Escalation.objects.get(pk=triaged.pk)
    assert escalation.state == EscalationState.CONTAINED
    assert escalation.containment_note == "Called; credit applied."
    assert escalation.timeline.filter(kind=EscalationTimelineKind.TRANSITION,
                                      text__startswith="Contained").exists()
    assert escalation.history.first().history_user == manager


def test_policies_are_edited_in_order_and_checked(client, manager):
    EscalationSlaPolicy.objects.create(name="Second", order=20)
    EscalationSlaPolicy.objects.create(name="First", order=10)
    client.force_login(manager)
    page = client.get(reverse("admin:escalations_escalationslapolicy_changelist"))
    text = page.content.decode()
    assert text.index("First") < text.index("Second")
    response = client.post(reverse("admin:escalations_escalationslapolicy_add"), {
        "name": "Bad", "order": 30, "active": "on", "resolution": "-1 00:00:00",
        "pause_in_awaiting_customer": '["escalations.resolution"]',
    })
    assert response.status_code == 200  # the form again, with the model's error
    assert not EscalationSlaPolicy.objects.filter(name="Bad").exists()
    response = client.post(reverse("admin:escalations_escalationslapolicy_add"), {
        "name": "Good", "order": 30, "active": "on", "resolution": "2 00:00:00",
        "pause_cap_unit": "business",
        "pause_in_awaiting_customer": '["escalations.resolution"]',
    })
    assert response.status_code == 302
    assert EscalationSlaPolicy.objects.get(name="Good").resolution == timedelta(days=2)


def _change_data(escalation, **overrides):
    """The escalation's editable fields as the admin form posts them."""
    data = {"summary": escalation.summary, "description": escalation.description,
            "requested_outcome": escalation.requested_outcome,
            "priority": escalation.priority, "category": escalation.category,
            "channel": "", "owner": escalation.owner_id or "", "team": "",
            "regulatory_regime": "",
            # The read-only inlines post their management forms.
            "incident_links-TOTAL_FORMS": "0", "incident_links-INITIAL_FORMS": "0",
            "timeline-TOTAL_FORMS": "0", "timeline-INITIAL_FORMS": "0"}
    data.update(overrides)
    return data


def test_descriptive_fields_are_edited_through_the_service(client, manager, triaged):
    client.force_login(manager)
    url = reverse("admin:escalations_escalation_change", args=[triaged.pk])
    response = client.post(url, _change_data(
        triaged, summary="Billed twice in March", description="Card 4111 1111 1111 1111"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    escalation = Escalation.objects.get(pk=triaged.pk)
    assert escalation.summary == "Billed twice in March"
    assert escalation.description == "Card [card •••• 1111]"
    assert escalation.history.first().history_change_reason == "Edited: description, summary"
    assert escalation.timeline.filter(kind=EscalationTimelineKind.EDIT).exists()


def test_a_refused_edit_shows_on_the_form_and_changes_nothing(client, manager, triaged):
    client.force_login(manager)
    url = reverse("admin:escalations_escalation_change", args=[triaged.pk])
    response = client.post(url, _change_data(triaged, owner="", summary="Changed"))
    assert response.status_code == 200  # the form again, not a 500
    assert "owner" in response.context["adminform"].form.errors
    escalation = Escalation.objects.get(pk=triaged.pk)
    assert escalation.summary == "Billed twice" and escalation.owner_id is not None
    assert not escalation.timeline.filter(kind=EscalationTimelineKind.EDIT).exists()


def test_policy_admin_saves_versions(client, manager):
    policy = EscalationSlaPolicy.objects.create(name="Default", order=10,
                                                resolution=timedelta(days=2))
    client.force_login(manager)
    url = reverse("admin:escalations_escalationslapolicy_change", args=[policy.pk])
    response = client.post(url, {"name": "Default", "order": 10, "active": "on",
                                 "resolution": "1 00:00:00", "pause_cap_unit": "business",
                                 "pause_in_awaiting_customer": '["escalations.resolution"]'})
    assert response.status_code == 302
    assert EscalationSlaPolicy.objects.get(pk=policy.pk).version == 2


@pytest.mark.parametrize("model", ["regulatoryregime", "compensationapprovallimit",
                                   "escalationslapolicy"])
def test_managers_configure_regimes_limits_and_policies(client, manager, model):
    client.force_login(manager)
    assert client.get(reverse(f"admin:escalations_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:escalations_{model}_add")).status_code == 200


def test_vendor_manager_reads_but_cannot_change_regimes(client, make_user):
    from core.choices import Role

    client.force_login(make_user(Role.VENDOR_MANAGER, is_staff=True))
    assert client.get(reverse("admin:escalations_regulatoryregime_changelist")
                      ).status_code == 200
    assert client.get(reverse("admin:escalations_regulatoryregime_add")).status_code == 403


def test_compensation_is_hidden_in_the_admin_from_roles_that_may_not_see_it(
        client, make_user, triaged, lead):
    from core.choices import Role

    services.escalation_offer_compensation(escalation=triaged, by=lead, amount="75",
                                           note="Goodwill")
    url = reverse("admin:escalations_escalation_change", args=[triaged.pk])
    client.force_login(make_user(Role.VENDOR_MANAGER, is_staff=True))
    assert "Goodwill" in client.get(url).content.decode()  # money role
