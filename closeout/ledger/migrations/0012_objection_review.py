"""The office's review of objections: an objection may be marked as spam (who, when and
why), which lets the public notice end without an answer to it; the row stays."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0011_append_only_guards'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='objection',
            name='spam_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='marked as spam at'),
        ),
        migrations.AddField(
            model_name='objection',
            name='spam_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='marked as spam by'),
        ),
        migrations.AddField(
            model_name='objection',
            name='spam_reason',
            field=models.TextField(blank=True, verbose_name='why spam'),
        ),
    ]
