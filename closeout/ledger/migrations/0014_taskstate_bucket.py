"""The schedule-status filter of the ledger table reads a bucket's tasks from this index
(see closeout.ledger.selectors.tasks._narrowed and _count)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0013_role_pages"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="taskstate",
            index=models.Index(fields=["bucket", "task"], name="taskstate_bucket"),
        ),
    ]
