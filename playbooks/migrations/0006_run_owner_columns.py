"""Runs keyed by owner like the kernel's clocks, step 1 of 3: the new columns, empty.

The old constraints go first so that, migrating back, they return only after
0007 has copied the owners back (``run_has_one_owner`` would refuse the rows
otherwise). Schema, data and schema are three migrations, each its own
transaction: PostgreSQL refuses to alter a table with pending deferred FK checks
from rows updated in the same transaction."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('playbooks', '0005_rule_extra_conditions'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='playbookrun', name='run_has_one_owner'),
        migrations.RemoveConstraint(model_name='playbookrun', name='one_run_per_incident'),
        migrations.RemoveConstraint(model_name='playbookrun', name='one_run_per_escalation'),
        migrations.AddField(
            model_name='playbookrun',
            name='content_type',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AddField(
            model_name='playbookrun',
            name='object_id',
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='historicalplaybookrun',
            name='content_type',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AddField(
            model_name='historicalplaybookrun',
            name='object_id',
            field=models.PositiveBigIntegerField(null=True),
        ),
    ]
