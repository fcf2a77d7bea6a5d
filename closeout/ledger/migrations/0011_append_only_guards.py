"""Append-only tables refuse UPDATE and DELETE in the database itself, on every backend
(filled in by the append-only guards work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ledger", "0010_fewer_loop_indexes")]
    operations: list = []
