from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0015_documents"),
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
