"""Runs keyed by owner, step 2 of 3: each run's (and history row's) incident or
escalation copied into content type + id; backwards, copied back."""

from django.db import migrations
from django.db.models import F

# The owner kinds the old columns held: column name → (app label, model).
OWNERS = {"incident": ("incidents", "incident"), "escalation": ("escalations", "escalation")}
MODELS = ("PlaybookRun", "HistoricalPlaybookRun")


def _content_type(apps, app_label, model):
    # Content types are created after migrate; a database migrated in one go has none yet.
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=app_label, model=model)
    return content_type


def owners_forward(apps, schema_editor):
    for name in MODELS:
        runs = apps.get_model("playbooks", name).objects
        for column, (app_label, model) in OWNERS.items():
            rows = runs.filter(**{f"{column}__isnull": False})
            if rows.exists():
                rows.update(content_type=_content_type(apps, app_label, model),
                            object_id=F(f"{column}_id"))


def owners_backward(apps, schema_editor):
    for name in MODELS:
        runs = apps.get_model("playbooks", name).objects
        for column, (app_label, model) in OWNERS.items():
            runs.filter(content_type__app_label=app_label, content_type__model=model).update(
                **{f"{column}_id": F("object_id")})


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('playbooks', '0006_run_owner_columns'),
    ]

    operations = [
        migrations.RunPython(owners_forward, owners_backward),
    ]
