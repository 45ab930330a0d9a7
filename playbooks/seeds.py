"""Load the starter library (``playbooks/starter_library.py``) into the database.

Used by the data migration (with the migration's historical models) and by tests.
Each playbook is created with one published version; a playbook already there (same
slug) is left as it is, so a manager's edits are never overwritten.
"""

from datetime import timedelta

from .starter_library import STARTER_PLAYBOOKS, validate_library

RULE_FIELDS = {"priority": "min_priority", "category": "category",
               "customer_tier": "customer_tier", "regulatory": "regulatory"}


def load_starter_library(apps, *, by, at):
    """Create the missing starter playbooks; returns how many were created.

    ``apps`` is a migration's app registry (or ``django.apps.apps``).
    """
    validate_library()
    Playbook = apps.get_model("playbooks", "Playbook")
    Version = apps.get_model("playbooks", "PlaybookVersion")
    Step = apps.get_model("playbooks", "PlaybookStep")
    Rule = apps.get_model("playbooks", "AttachRule")
    Severity = apps.get_model("incidents", "Severity")
    Channel = apps.get_model("incidents", "Channel")
    created = 0
    for entry in STARTER_PLAYBOOKS:
        if Playbook.objects.filter(slug=entry["slug"]).exists():
            continue
        playbook = Playbook.objects.create(slug=entry["slug"], name=entry["name"],
                                           kind=entry["kind"], purpose=entry["purpose"])
        version = Version.objects.create(
            playbook=playbook, number=1, state="published", created_by=by, created_at=at,
            published_by=by, published_at=at, change_note="Starter library")
        for position, step in enumerate(entry["steps"], start=1):
            minutes = step["due_minutes"]
            Step.objects.create(
                version=version, position=position, title=step["title"],
                instructions=step["instructions"], responsible_role=step["responsible_role"],
                due_offset=timedelta(minutes=minutes) if minutes else None,
                required=step["required"], evidence=step["evidence"])
        for conditions in entry["rules"]:
            fields = {RULE_FIELDS[key]: value for key, value in conditions.items()
                      if key in RULE_FIELDS}
            if "severity" in conditions:
                fields["min_severity"] = Severity.objects.get(key=conditions["severity"])
            if "channel" in conditions:
                fields["channel"] = Channel.objects.get(key=conditions["channel"])
            Rule.objects.create(playbook=playbook, **fields)
        created += 1
    return created
