"""Make the audit trail append-only in the database itself.

UPDATE is refused on every backend. DELETE is refused on PostgreSQL too (TRUNCATE, a
deliberate whole-table reset, stays possible); SQLite's test teardown empties tables
with DELETE, so there the model and the interfaces are what refuse it.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER ledger_auditevent_no_update BEFORE UPDATE ON ledger_auditevent "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION ledger_auditevent_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER ledger_auditevent_no_change BEFORE UPDATE OR DELETE "
            "ON ledger_auditevent FOR EACH ROW EXECUTE FUNCTION ledger_auditevent_append_only();"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_auditevent_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS ledger_auditevent_no_change ON ledger_auditevent;"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_auditevent_append_only();")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
