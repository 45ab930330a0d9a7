"""Starter library of contact-center playbooks (plain Python data, no Django imports).

Imported by the data migration that seeds the library and by the demo, so it must stay
importable without Django settings. Each playbook is a dict:

    slug, name, kind ("incident" | "escalation"), purpose, rules, steps

Steps: title, instructions (Markdown), responsible_role (a role group name), due_minutes
(offset from when the playbook attaches; None for no due time), required (required steps
block closing the incident/escalation) and evidence ("none" | "note" | "link" | "file").

Attach rules
------------
``rules`` is a list of dicts. All conditions inside one rule must match (AND); the
playbook attaches when any one rule matches (OR). An empty list means the playbook is
only ever attached by hand. Keys:

- ``severity`` (incident playbooks): "SEV1".."SEV4", meaning *at least this bad*:
  "SEV2" matches SEV1 and SEV2 incidents, "SEV4" matches every severity.
- ``channel`` (either kind): a seeded channel key (see ``incidents/seeds.py``): "voice",
  "ivr", "chat", "email", "sms", "social", "messaging", "bot", "crm", "wfm".
- ``category`` (escalation playbooks): "complaint", "billing", "technical", "regulatory",
  "social_media", "executive".
- ``priority`` (escalation playbooks): "P1".."P4", meaning *at least this urgent*:
  "P2" matches P1 and P2.
- ``customer_tier`` (escalation playbooks): "standard", "priority", "vip", "high_value".
- ``regulatory`` (escalation playbooks): True, meaning only escalations under a
  regulatory regime.

Rules are re-evaluated when the object changes, so raising a voice incident from SEV2 to
SEV1 also attaches the CCaaS platform playbook.

The playbooks themselves are in ``channels.py``, ``systems.py`` and ``escalations.py``;
call ``validate_library()`` after editing them.
"""

import re

from .channels import CHANNEL_PLAYBOOKS
from .escalations import ESCALATION_PLAYBOOKS
from .systems import SYSTEM_PLAYBOOKS
from .units import DAY, HOUR  # noqa: F401

KINDS = ("incident", "escalation")
ROLES = ("Manager", "Incident Responder", "Escalation Lead", "Vendor Manager")
EVIDENCE = ("none", "note", "link", "file")
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
PRIORITIES = ("P1", "P2", "P3", "P4")
CHANNELS = ("voice", "ivr", "chat", "email", "sms", "social", "messaging", "bot", "crm", "wfm")
CATEGORIES = ("complaint", "billing", "technical", "regulatory", "social_media", "executive")
CUSTOMER_TIERS = ("standard", "priority", "vip", "high_value")


# Allowed rule keys per playbook kind, with the allowed values for each key.
RULE_VALUES = {
    "incident": {
        "severity": SEVERITIES,
        "channel": CHANNELS,
    },
    "escalation": {
        "channel": CHANNELS,
        "category": CATEGORIES,
        "priority": PRIORITIES,
        "customer_tier": CUSTOMER_TIERS,
        "regulatory": (True,),
    },
}

STEP_KEYS = {"title", "instructions", "responsible_role", "due_minutes", "required", "evidence"}
PLAYBOOK_KEYS = {"slug", "name", "kind", "purpose", "rules", "steps"}


# The library in its order: the channels, the systems behind them, then escalations.
STARTER_PLAYBOOKS = CHANNEL_PLAYBOOKS + SYSTEM_PLAYBOOKS + ESCALATION_PLAYBOOKS


_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def validate_library(library=STARTER_PLAYBOOKS) -> None:
    """Check the library's shape and values; raise ValueError naming the playbook/step."""
    seen_slugs = set()
    for index, playbook in enumerate(library):
        slug = playbook.get("slug")
        where = f"playbook {slug!r}" if slug else f"playbook #{index}"

        missing = PLAYBOOK_KEYS - playbook.keys()
        if missing:
            raise ValueError(f"{where}: missing keys {sorted(missing)}")
        unknown = playbook.keys() - PLAYBOOK_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if not isinstance(slug, str) or not _SLUG_RE.match(slug):
            raise ValueError(f"{where}: slug must be kebab-case")
        if slug in seen_slugs:
            raise ValueError(f"{where}: duplicate slug")
        seen_slugs.add(slug)
        for key in ("name", "purpose"):
            if not isinstance(playbook[key], str) or not playbook[key].strip():
                raise ValueError(f"{where}: {key} must be a non-empty string")

        kind = playbook["kind"]
        if kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r}")

        _validate_rules(where, kind, playbook["rules"])

        steps = playbook["steps"]
        if not isinstance(steps, list) or not steps:
            raise ValueError(f"{where}: has no steps")
        titles = set()
        for number, step in enumerate(steps, start=1):
            _validate_step(f"{where} step {number} ({step.get('title')!r})", step)
            if step["title"] in titles:
                raise ValueError(f"{where} step {number}: duplicate title {step['title']!r}")
            titles.add(step["title"])
        if not any(step["required"] for step in steps):
            raise ValueError(f"{where}: has no required step")


def _validate_rules(where, kind, rules):
    if not isinstance(rules, list):
        raise ValueError(f"{where}: rules must be a list")
    allowed = RULE_VALUES[kind]
    for number, rule in enumerate(rules, start=1):
        rule_where = f"{where} rule {number}"
        if not isinstance(rule, dict) or not rule:
            raise ValueError(f"{rule_where}: must be a non-empty dict (an empty rule would "
                             "match everything)")
        for key, value in rule.items():
            if key not in allowed:
                raise ValueError(f"{rule_where}: rule key {key!r} is not allowed on "
                                 f"{kind} playbooks")
            # `is True` guard: 1 == True, but the regulatory flag must be a real bool.
            if key == "regulatory" and value is not True:
                raise ValueError(f"{rule_where}: regulatory must be True")
            if value not in allowed[key]:
                raise ValueError(f"{rule_where}: unknown value {value!r} for {key!r}")


def _validate_step(where, step):
    missing = STEP_KEYS - step.keys()
    if missing:
        raise ValueError(f"{where}: missing keys {sorted(missing)}")
    unknown = step.keys() - STEP_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("title", "instructions"):
        if not isinstance(step[key], str) or not step[key].strip():
            raise ValueError(f"{where}: {key} must be a non-empty string")
    if step["responsible_role"] not in ROLES:
        raise ValueError(f"{where}: unknown role {step['responsible_role']!r}")
    due = step["due_minutes"]
    if due is not None:
        if isinstance(due, bool) or not isinstance(due, int):
            raise ValueError(f"{where}: due_minutes must be an integer or None")
        if due < 0:
            raise ValueError(f"{where}: negative due_minutes {due}")
    if not isinstance(step["required"], bool):
        raise ValueError(f"{where}: required must be True or False")
    if step["evidence"] not in EVIDENCE:
        raise ValueError(f"{where}: unknown evidence {step['evidence']!r}")
