"""Substring search over task and problem text on PostgreSQL.

Chinese has no spaces to split words on, so the lists search with LIKE '%词%'. On
PostgreSQL a trigram GIN index answers that without reading every row (pg_trgm counts CJK
characters as word characters under a UTF-8 locale). SQLite scans, which is fine at the
size of one city.
"""

from django.db import migrations

INDEXES = [
    ("ledger_task_text_trgm", "ledger_task", "text"),
    ("ledger_task_target_trgm", "ledger_task", "target"),
    ("ledger_problem_title_trgm", "ledger_problem", "title"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops);"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_audit_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
