from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0016_report_source"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="source_spans",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="source spans of the fields"
            ),
        ),
    ]
