"""The schedule bucket is not indexed.

The sweep rewrites a task's bucket whenever it changes (at first, on every task), and the
totals read the whole table once anyway; an index on it cost more to maintain than it
saved. The look-back limit of missing reports gets its final wording and default.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0007_calendarday"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="task",
            name="task_bucket",
        ),
        migrations.AlterField(
            model_name="loopsettings",
            name="backfill_days",
            field=models.PositiveSmallIntegerField(
                default=14, verbose_name="days a sweep looks back at most for missing reports"
            ),
        ),
    ]
