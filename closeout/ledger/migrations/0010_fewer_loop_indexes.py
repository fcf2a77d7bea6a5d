"""Fewer index entries for the rows the sweep writes in sets (measures, look-backs,
missing reports): a foreign key's own index goes where another index already starts with
it; the measures' unique key (task, cause, level) also serves "the measures of this task
for this cause", which had an index of its own; and the columns that are empty when the
sweep writes a row (who checked, issued, responded; the late report) index only the rows
that have a value."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0009_task_state'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='escalation',
            name='escalation_once_per_cause',
        ),
        migrations.RemoveIndex(
            model_name='escalation',
            name='escalation_task_cause',
        ),
        migrations.AlterField(
            model_name='escalation',
            name='issuer',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='issued by user'),
        ),
        migrations.AlterField(
            model_name='escalation',
            name='responded_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='responded by'),
        ),
        migrations.AlterField(
            model_name='escalation',
            name='sweep',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.sweeprun', verbose_name='issued by sweep'),
        ),
        migrations.AlterField(
            model_name='escalation',
            name='task',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='escalations', to='ledger.task', verbose_name='task'),
        ),
        migrations.AlterField(
            model_name='escalation',
            name='unit',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='escalations', to='ledger.unit', verbose_name='unit addressed'),
        ),
        migrations.AlterField(
            model_name='lookbackcheck',
            name='checked_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked by'),
        ),
        migrations.AlterField(
            model_name='lookbackcheck',
            name='task',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lookbacks', to='ledger.task', verbose_name='task'),
        ),
        migrations.AlterField(
            model_name='missedreport',
            name='report',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.progressreport', verbose_name='late report'),
        ),
        migrations.AlterField(
            model_name='missedreport',
            name='task',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='missed_reports_log', to='ledger.task', verbose_name='task'),
        ),
        migrations.AddIndex(
            model_name='escalation',
            index=models.Index(condition=models.Q(('issuer__isnull', False)), fields=['issuer'], name='escalation_issuer'),
        ),
        migrations.AddIndex(
            model_name='escalation',
            index=models.Index(condition=models.Q(('responded_by__isnull', False)), fields=['responded_by'], name='escalation_responded_by'),
        ),
        migrations.AddIndex(
            model_name='lookbackcheck',
            index=models.Index(condition=models.Q(('checked_by__isnull', False)), fields=['checked_by'], name='lookback_checked_by'),
        ),
        migrations.AddIndex(
            model_name='missedreport',
            index=models.Index(condition=models.Q(('report__isnull', False)), fields=['report'], name='missedreport_report'),
        ),
        migrations.AddConstraint(
            model_name='escalation',
            constraint=models.UniqueConstraint(fields=('task', 'cause', 'level'), name='escalation_once_per_cause'),
        ),
    ]
