"""The fields the sweep rewrites in sets (bucket, run of missed reports) move from the
wide task row to a narrow table of their own, one row per task, carried over as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0008_sweep_tuning'),
    ]

    operations = [
        migrations.CreateModel(
            name='TaskState',
            fields=[
                ('task', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='state', serialize=False, to='ledger.task', verbose_name='task')),
                ('bucket', models.CharField(blank=True, choices=[('done', 'Done'), ('sustained', 'Completed, sustained'), ('on_schedule', 'On schedule'), ('behind', 'Behind schedule'), ('overdue', 'Overdue')], editable=False, max_length=12, verbose_name='schedule status')),
                ('missed_reports', models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='reports missed in a row')),
                ('missed_since', models.DateField(editable=False, null=True, verbose_name='missing reports since')),
            ],
            options={
                'verbose_name': 'task state',
                'verbose_name_plural': 'task states',
            },
        ),
        migrations.RunSQL(
            "INSERT INTO ledger_taskstate (task_id, bucket, missed_reports, missed_since) "
            "SELECT id, bucket, missed_reports, missed_since FROM ledger_task",
            "UPDATE ledger_task SET bucket = s.bucket, missed_reports = s.missed_reports, "
            "missed_since = s.missed_since FROM ledger_taskstate s WHERE s.task_id = ledger_task.id",
        ),
        migrations.RemoveField(
            model_name='task',
            name='bucket',
        ),
        migrations.RemoveField(
            model_name='task',
            name='missed_reports',
        ),
        migrations.RemoveField(
            model_name='task',
            name='missed_since',
        ),
    ]
