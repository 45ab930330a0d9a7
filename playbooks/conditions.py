"""Attach-rule conditions other apps bring: the extension point of ``AttachRule``.

An attach rule's own columns cover what incidents and escalations say about
themselves (severity, priority, channel…). A condition on something another app
knows — the vendors named on an incident — is registered by that app, so playbooks
never imports it (vendors is optional; playbooks is older)::

    register_rule_condition(RuleCondition(
        key="vendor", label="Vendor",
        form_fields=…,      # {name: forms.Field} on the rule form (page and admin)
        input_fields=…,     # {name: serializer field} of the API input
        output_fields=…,    # {name: read-only serializer field} of the API output
        clean=…,            # {name: parsed value} -> stored values, {} when nothing set
        matches=…,          # (stored values, facts) -> bool
        describe=…,         # stored values -> "vendor Telco One or category …"
        describe_many=…))   # optional: many rules' values at once (one query a page)

A rule keeps every condition's values in one JSON column, ``extra_conditions``
(``{condition key: {field name: JSON value}}``), so a condition is validated with the
rest of the rule (``AttachRule.clean``), shown in ``describe()``, matched in
``services.rule_matches`` against ``core.work_items.playbook_facts`` and audited in
the rule's own history rows — no second table to keep in step.

``clean`` is the condition's rule: it turns what a form or serializer parsed (model
instances, ids, codes) into JSON values and raises ``ValidationError`` naming its
field for anything it refuses (an unknown vendor id), whoever calls the service.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError


@dataclass(frozen=True)
class RuleCondition:
    key: str
    label: str
    form_fields: Callable[[], dict]
    input_fields: Callable[[], dict]
    output_fields: Callable[[], dict]
    clean: Callable[[dict], dict]
    matches: Callable[[dict, dict], bool]
    describe: Callable[[dict], str]
    # The playbook kinds it applies to (PlaybookKind values); empty: every kind.
    kinds: tuple[str, ...] = ()
    # Many rules' stored values -> their descriptions, in one go (vendor names in one
    # query for a whole list page); without it, ``describe`` is called for each.
    describe_many: Callable[[list[dict]], list[str]] | None = None

    def field_names(self) -> set[str]:
        return set(self.form_fields()) | set(self.input_fields())

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


_CONDITIONS: dict[str, RuleCondition] = {}

# AttachRule's own input names: a condition's field may not shadow one of them.
RESERVED_NAMES = {"playbook", "rule", "min_severity", "min_priority", "channel", "category",
                  "customer_tier", "regulatory", "regulatory_regime", "extra_conditions",
                  "description", "id"}


def register_rule_condition(condition: RuleCondition) -> RuleCondition:
    clash = condition.field_names() & RESERVED_NAMES
    for other in _CONDITIONS.values():
        if other.key != condition.key:
            clash |= condition.field_names() & other.field_names()
    if clash:
        raise ImproperlyConfigured(f"Rule condition {condition.key!r}: field names already "
                                   f"taken: {', '.join(sorted(clash))}.")
    _CONDITIONS[condition.key] = condition
    return condition


def unregister_rule_condition(key: str) -> None:
    """For tests that register a condition of their own."""
    _CONDITIONS.pop(key, None)


def rule_conditions(kind: str | None = None) -> list[RuleCondition]:
    """The registered conditions (those for playbooks of ``kind``), in key order."""
    return [c for c in sorted(_CONDITIONS.values(), key=lambda c: c.key)
            if kind is None or c.applies_to(kind)]


def rule_condition(key: str) -> RuleCondition | None:
    return _CONDITIONS.get(key)


def condition_field_names() -> set[str]:
    return {name for condition in rule_conditions() for name in condition.field_names()}


def form_fields(kind: str | None = None) -> dict:
    """Every condition's form fields, for the rule form on the page and in the admin."""
    return {name: field for condition in rule_conditions(kind)
            for name, field in condition.form_fields().items()}


def initial_values(extra_conditions: dict | None) -> dict:
    """A rule's stored condition values by field name: a form's initial data."""
    return {name: value for values in (extra_conditions or {}).values()
            for name, value in values.items()}


def merge(current: dict | None, fields: dict[str, Any]) -> dict:
    """``extra_conditions`` after applying ``fields`` (input by field name, as parsed):
    each condition given at least one of its fields is cleaned anew (all its fields
    empty: removed); conditions not given are kept. Raises ``ValidationError`` naming
    the fields a condition refuses, all conditions' errors together."""
    result = dict(current or {})
    errors: dict[str, list] = {}
    for condition in rule_conditions():
        given = {name: fields[name] for name in condition.field_names() if name in fields}
        if not given:
            continue
        try:
            stored = condition.clean(given)
        except ValidationError as exc:
            for name, messages in exc.update_error_dict({}).items():
                errors.setdefault(name, []).extend(messages)
            continue
        if stored:
            result[condition.key] = stored
        else:
            result.pop(condition.key, None)
    if errors:
        raise ValidationError(errors)
    return result


def matches(extra_conditions: dict | None, facts: dict) -> bool:
    """Every condition stored holds for ``facts``. A condition whose app is gone
    (unregistered) never holds: a rule it narrowed must not attach everywhere."""
    for key, values in (extra_conditions or {}).items():
        condition = _CONDITIONS.get(key)
        if condition is None or not condition.matches(values, facts):
            return False
    return True


def describe(extra_conditions: dict | None, described: dict | None = None) -> list[str]:
    """How people read the stored conditions, one part each (``described``: the
    parts :func:`describe_in_bulk` worked out already, by condition key)."""
    parts = []
    for key, values in sorted((extra_conditions or {}).items()):
        condition = _CONDITIONS.get(key)
        if described and key in described:
            parts.append(described[key])
        elif condition is not None:
            parts.append(condition.describe(values))
        else:
            parts.append(f"{key} condition (no longer available)")
    return parts


def describe_in_bulk(rules) -> None:
    """Before describing many rules (a list page, a page of runs): each condition
    describes all the rules it is set on at once, so a page costs one query per
    condition rather than one per rule. ``AttachRule.describe()`` then reads them."""
    rules = [rule for rule in rules if rule is not None and rule.extra_conditions]
    for rule in rules:
        rule.condition_descriptions = {}
    for condition in rule_conditions():
        having = [rule for rule in rules if condition.key in rule.extra_conditions]
        if not having:
            continue
        values = [rule.extra_conditions[condition.key] for rule in having]
        texts = (condition.describe_many(values) if condition.describe_many is not None
                 else [condition.describe(one) for one in values])
        for rule, text in zip(having, texts, strict=True):
            rule.condition_descriptions[condition.key] = text
