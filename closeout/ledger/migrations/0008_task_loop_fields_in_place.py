"""The closed loop's fields on the task table are updated in place.

The sweep rewrites a task's schedule bucket and report streak whenever they change (at
first, on every task). PostgreSQL can update a row in place, without touching any index
(a heap-only tuple update), when no indexed column changes and the row's page has room.
So those fields carry no index (the bucket's is dropped here: the totals read the table
once, which costs less than maintaining it), and task pages keep 15% free space for new
versions of their rows; a table loaded before this migration gets the room as it is
rewritten (VACUUM FULL) or as rows move.
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE ledger_task SET (fillfactor = 85);")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE ledger_task RESET (fillfactor);")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0007_calendarday"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="task",
            name="task_bucket",
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="loopsettings",
            name="backfill_days",
            field=models.PositiveSmallIntegerField(
                default=14, verbose_name="days a sweep looks back at most for missing reports"
            ),
        ),
    ]
