"""Append-only tables refuse UPDATE and DELETE in the database itself, on every backend
(see closeout/ledger/models/appendonly.py): audit events (whose UPDATE triggers 0002
made), close-out steps, progress reports and evidence files.

An UPDATE is refused when it changes any column but a link the database clears for a
deleted user or milestone (and that one may only become NULL); audit events refuse every
UPDATE. A DELETE is refused always, except, on SQLite, while `closeout_resetting()` says
a whole-database reset (`flush`) is running; PostgreSQL's flush is a TRUNCATE, which no
row trigger sees. The columns guarded are those of the tables as of this migration:
SQLite drops a table's triggers whenever a migration remakes the table, and a column
added later is not in the list, so such a migration re-creates the triggers
(test_append_only checks them against the models).

The tasks behind these rows are protected (on_delete=PROTECT): a task with a history
cannot be deleted, only cancelled.
"""

import django.db.models.deletion
from django.db import migrations, models

# table → the columns the database may clear (on_delete=SET_NULL links)
TABLES = {
    "ledger_auditevent": None,  # UPDATE already refused by 0002
    "ledger_closeoutstep": ("actor_id",),
    "ledger_progressreport": ("reporter_id", "milestone_id"),
    "ledger_evidence": ("uploaded_by_id",),
}
MODELS = {
    "ledger_auditevent": "AuditEvent",
    "ledger_closeoutstep": "CloseoutStep",
    "ledger_progressreport": "ProgressReport",
    "ledger_evidence": "Evidence",
}


def _changed(apps, table, clearable, differs):
    """The SQL condition 'this UPDATE changes more than clearing a link'."""
    model = apps.get_model("ledger", MODELS[table])
    parts = []
    for field in model._meta.concrete_fields:
        col = f'"{field.column}"'
        if field.column in clearable:
            parts.append(f"(NEW.{col} IS NOT NULL AND {differs(f'NEW.{col}', f'OLD.{col}')})")
        elif not field.primary_key:
            parts.append(differs(f"OLD.{col}", f"NEW.{col}"))
    # the primary key too: a row does not move
    parts.append(differs('OLD."id"', 'NEW."id"'))
    return " OR ".join(parts)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run = schema_editor.execute
    if vendor == "sqlite":
        for table, clearable in TABLES.items():
            message = f"{table} rows are append-only"
            if clearable is not None:
                condition = _changed(apps, table, clearable, lambda a, b: f"{a} IS NOT {b}")
                run(
                    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                    f"WHEN {condition} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
                )
            run(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "WHEN NOT closeout_resetting() "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )
    elif vendor == "postgresql":
        run(
            "CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME; END; "
            "$$ LANGUAGE plpgsql;",
            None,  # no parameters: the % is plpgsql's
        )
        for table, clearable in TABLES.items():
            if clearable is None:
                continue  # 0002's trigger refuses UPDATE and DELETE
            condition = _changed(
                apps, table, clearable, lambda a, b: f"{a} IS DISTINCT FROM {b}"
            )
            run(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION ledger_append_only();"
            )
            run(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only();"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, clearable in TABLES.items():
        on = f" ON {table}" if vendor == "postgresql" else ""
        if clearable is not None:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update{on};")
        if clearable is not None or vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete{on};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_append_only();")


def _protected(related_name):
    return models.ForeignKey(
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to="ledger.task",
        verbose_name="task",
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0010_fewer_loop_indexes")]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "base_manager_name": "objects",
                "ordering": ["-at", "-id"],
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
            },
        ),
        migrations.AlterModelOptions(
            name="closeoutstep",
            options={
                "base_manager_name": "objects",
                "ordering": ["task", "at", "id"],
                "verbose_name": "close-out step",
                "verbose_name_plural": "close-out steps",
            },
        ),
        migrations.AlterModelOptions(
            name="evidence",
            options={
                "base_manager_name": "objects",
                "ordering": ["-uploaded_at"],
                "verbose_name": "evidence file",
                "verbose_name_plural": "evidence files",
            },
        ),
        migrations.AlterModelOptions(
            name="progressreport",
            options={
                "base_manager_name": "objects",
                "ordering": ["-submitted_at"],
                "verbose_name": "progress report",
                "verbose_name_plural": "progress reports",
            },
        ),
        migrations.AlterField(
            model_name="closeoutstep", name="task", field=_protected("closeout_steps")
        ),
        migrations.AlterField(model_name="evidence", name="task", field=_protected("evidence")),
        migrations.AlterField(
            model_name="progressreport", name="task", field=_protected("reports")
        ),
        migrations.RunPython(forwards, backwards),
    ]
