"""The extension point for attach-rule conditions other apps bring
(playbooks/conditions.py), exercised with a condition of the test's own — the vendor
condition is tested with its app (tests/vendors/test_playbook_rules.py)."""

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from rest_framework import serializers

from incidents import services as incident_services
from playbooks import conditions, services
from playbooks.models import PlaybookRun

pytestmark = pytest.mark.django_db


def _clean(values):
    ranks = values.get("severity_ranks") or []
    if any(not isinstance(rank, int) or rank < 1 for rank in ranks):
        raise ValidationError({"severity_ranks": "Ranks are whole numbers from 1."})
    return {"severity_ranks": sorted(set(ranks))} if ranks else {}


EXACT_SEVERITY = conditions.RuleCondition(
    key="exact_severity", label="Exact severity",
    form_fields=lambda: {"severity_ranks": forms.TypedMultipleChoiceField(
        coerce=int, choices=[(1, "1"), (2, "2"), (3, "3")], required=False)},
    input_fields=lambda: {"severity_ranks": serializers.ListField(
        child=serializers.IntegerField(), required=False)},
    output_fields=lambda: {"severity_ranks": serializers.ListField(
        child=serializers.IntegerField(), read_only=True, default=list)},
    clean=_clean,
    matches=lambda stored, facts: facts.get("severity_rank") in stored["severity_ranks"],
    describe=lambda stored: "rank exactly " + " or ".join(map(str, stored["severity_ranks"])),
    kinds=("incident",))


@pytest.fixture
def exact_severity():
    conditions.register_rule_condition(EXACT_SEVERITY)
    yield EXACT_SEVERITY
    conditions.unregister_rule_condition(EXACT_SEVERITY.key)


def test_a_registered_condition_is_stored_described_and_matched(exact_severity,
                                                                make_playbook, manager,
                                                                responder, severity):
    playbook = make_playbook(rules=[{"severity_ranks": [3]}])
    rule = playbook.rules.get()
    assert rule.extra_conditions == {"exact_severity": {"severity_ranks": [3]}}
    assert rule.describe() == "rank exactly 3"
    sev3 = incident_services.incident_declare(by=responder, title="Slow CRM",
                                              severity=severity["SEV3"])
    sev1 = incident_services.incident_declare(by=responder, title="All down",
                                              severity=severity["SEV1"])
    assert PlaybookRun.objects.of(sev3).exists()
    assert not PlaybookRun.objects.of(sev1).exists()


def test_a_condition_joins_the_rules_own_conditions(exact_severity, make_playbook, channel,
                                                    responder, severity):
    make_playbook(rules=[{"severity_ranks": [3], "channel": channel["voice"]}])
    without_channel = incident_services.incident_declare(by=responder, title="Slow CRM",
                                                         severity=severity["SEV3"])
    assert not PlaybookRun.objects.of(without_channel).exists()


def test_its_refusal_names_its_field(exact_severity, make_playbook, manager):
    playbook = make_playbook()
    with pytest.raises(ValidationError) as refused:
        services.rule_save(playbook=playbook, by=manager, severity_ranks=[0])
    assert "severity_ranks" in refused.value.message_dict


def test_a_condition_is_only_for_the_kinds_it_names(exact_severity, make_playbook, manager):
    playbook = make_playbook(name="VIP complaint", kind="escalation")
    with pytest.raises(ValidationError) as refused:
        services.rule_save(playbook=playbook, by=manager, severity_ranks=[1])
    assert "Not a condition for escalation playbooks" in str(refused.value)


def test_an_unknown_field_is_refused(make_playbook, manager):
    with pytest.raises(ValidationError) as refused:
        services.rule_save(playbook=make_playbook(), by=manager, colour="red")
    assert "colour" in refused.value.message_dict


def test_the_form_and_api_carry_the_condition(exact_severity, api_as, manager,
                                              make_playbook):
    from playbooks.forms import RuleForm

    assert "severity_ranks" in RuleForm(kind="incident").fields
    assert "severity_ranks" not in RuleForm(kind="escalation").fields
    playbook = make_playbook()
    response = api_as(manager).post(f"/api/playbooks/{playbook.pk}/rules/",
                                    {"severity_ranks": [2, 2]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["severity_ranks"] == [2]
    assert response.json()["description"] == "rank exactly 2"


@pytest.mark.parametrize("name", ["channel", "min_severity", "playbook"])
def test_a_condition_may_not_shadow_a_rule_field(name):
    clash = conditions.RuleCondition(
        key="clash", label="Clash", form_fields=lambda: {name: forms.CharField()},
        input_fields=dict, output_fields=dict, clean=dict, matches=lambda s, f: True,
        describe=str)
    with pytest.raises(ImproperlyConfigured):
        conditions.register_rule_condition(clash)
    assert conditions.rule_condition("clash") is None
