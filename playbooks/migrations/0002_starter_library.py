"""Seed the starter library of contact-center playbooks, published, as the system user.

A playbook already there (by slug) is left alone. Removing one later is a manager's
choice; this migration never runs again.
"""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from playbooks.seeds import load_starter_library

    User = apps.get_model("auth", "User")
    system, _ = User.objects.get_or_create(
        username="switchboard-system",
        defaults={"is_active": False, "first_name": "Switchboard", "last_name": "(system)",
                  "password": "!"})  # "!" is an unusable password
    load_starter_library(apps, by=system, at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ("playbooks", "0001_initial"),
        ("incidents", "0002_seed_severities_and_channels"),
        ("core", "0002_seed_roles"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
