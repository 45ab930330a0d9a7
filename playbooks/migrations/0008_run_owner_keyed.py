"""Runs keyed by owner, step 3 of 3: the key required and unique per playbook
(``one_run_per_owner``), the per-kind foreign keys gone."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('playbooks', '0007_run_owner_data'),
    ]

    operations = [
        migrations.AlterField(
            model_name='playbookrun',
            name='content_type',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AlterField(
            model_name='playbookrun',
            name='object_id',
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AlterField(
            model_name='historicalplaybookrun',
            name='object_id',
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddIndex(
            model_name='playbookrun',
            index=models.Index(fields=['content_type', 'object_id'], name='run_owner_idx'),
        ),
        migrations.AddConstraint(
            model_name='playbookrun',
            constraint=models.UniqueConstraint(fields=('playbook', 'content_type', 'object_id'), name='one_run_per_owner'),
        ),
        migrations.RemoveField(model_name='historicalplaybookrun', name='escalation'),
        migrations.RemoveField(model_name='historicalplaybookrun', name='incident'),
        migrations.RemoveField(model_name='playbookrun', name='escalation'),
        migrations.RemoveField(model_name='playbookrun', name='incident'),
    ]
