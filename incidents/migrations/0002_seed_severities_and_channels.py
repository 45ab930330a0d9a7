"""SEV1–SEV4 with contact-center targets, and the channels an outage can hit.

Managers change them in the admin; these are sensible starting points.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from incidents.seeds import seed_severities_and_channels

    seed_severities_and_channels(
        apps.get_model("incidents", "Severity"), apps.get_model("incidents", "Channel")
    )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
