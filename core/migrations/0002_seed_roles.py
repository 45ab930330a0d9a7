"""Seed the role groups with their permissions, and the system user.

The grants are declared in core/roles.py; this migration only runs them once.
After every later migrate, core.roles.sync_after_migrate keeps them in step.
"""

from django.db import migrations

from core.audit import SYSTEM_USERNAME
from core.roles import ensure_permissions_exist, sync_role_groups


def seed(apps, schema_editor):
    ensure_permissions_exist(apps, using=schema_editor.connection.alias)
    sync_role_groups(apps)
    user_model = apps.get_model("auth", "User")
    user_model.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "Switchboard", "last_name": "(system)",
                  "password": "!"},  # "!" is Django's unusable password marker.
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
