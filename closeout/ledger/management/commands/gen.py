"""`closeout gen --tasks N`: load a synthetic province ledger (合成台账) for benchmarks.

A bulk loader, not a service call per task: ids are allocated up front by the generator
(`closeout.ledger.synth`), rows are streamed in batches (PostgreSQL COPY, SQLite
executemany), one transaction per batch, so memory stays bounded at any N. Afterwards
the PostgreSQL sequences are moved past the new ids and the planner statistics are
refreshed (ANALYZE). Every unit that leads or supervises a task gets a login (without a
password: nobody signs in with them), so that the sweep's notifications have the
recipients a real ledger has. The weekly snapshots of the weeks before the generator's
date are derived from the tasks' own dates (`closeout.ledger.synth.history`), so trends
and "change since last week" have something to show before the first sweep. The run is
recorded as ONE audit event, "ledger.generate".
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.models import (
    AssignmentRole,
    Inspection,
    Profile,
    Role,
    Task,
    TaskUnit,
    Unit,
    UnitGroup,
)
from closeout.ledger.synth import TABLES, Config, Generator, Rows


def _columns(model: type[models.Model], attnames: Sequence[str]) -> list[models.Field]:
    concrete = {f.attname for f in model._meta.concrete_fields}
    if concrete != set(attnames):
        # The models changed and the generator did not: fail before writing anything.
        raise CommandError(
            f"synth columns of {model._meta.db_table} are out of date: "
            f"{sorted(concrete ^ set(attnames))}"
        )
    return [model._meta.get_field(a) for a in attnames]  # type: ignore[misc]


def _sqlite_converter(fields: list[models.Field]) -> Callable[[tuple[Any, ...]], tuple] | None:
    """Dates and datetimes as Django stores them in SQLite (ISO text, datetimes in naive
    UTC); everything else the generator already produced in its stored form."""
    conv: list[tuple[int, Callable[[Any], Any]]] = []
    for i, f in enumerate(fields):
        if isinstance(f, models.DateTimeField):
            conv.append((i, lambda v: v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")))
        elif isinstance(f, models.DateField):
            conv.append((i, dt.date.isoformat))
    if not conv:
        return None

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(row)
        for i, fn in conv:
            if out[i] is not None:
                out[i] = fn(out[i])
        return tuple(out)

    return convert


class Writer:
    """Writes generated rows to the configured database, the fastest way it offers."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.tables: dict[str, tuple[str, Callable[[tuple[Any, ...]], tuple] | None]] = {}
        for key, (model, attnames) in TABLES.items():
            fields = _columns(model, attnames)
            cols = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
            table = connection.ops.quote_name(model._meta.db_table)
            if self.vendor == "postgresql":
                sql = f"COPY {table} ({cols}) FROM STDIN"
            else:
                sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(fields))})"
            self.tables[key] = (sql, _sqlite_converter(fields))

    def write(self, rows: Rows) -> int:
        """Write one batch, parents first (the order of TABLES); return the row count."""
        connection.ensure_connection()
        raw = connection.connection
        written = 0
        for key, batch in rows.items():
            if not batch:
                continue
            sql, convert = self.tables[key]
            if self.vendor == "postgresql":
                with raw.cursor() as cur, cur.copy(sql) as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                raw.executemany(sql, map(convert, batch) if convert else batch)
            written += len(batch)
        return written

    def finish(self) -> None:
        """Move sequences past the ids we allocated, then refresh planner statistics.

        On PostgreSQL a bulk load also leaves the visibility map empty, so index-only
        scans would still visit the heap until autovacuum comes by: VACUUM sets it now
        (outside a transaction only; inside one, e.g. in tests, ANALYZE alone)."""
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                models_ = [model for model, _ in TABLES.values()]
                for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                    cur.execute(sql)
                if not connection.in_atomic_block:
                    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
                    cur.execute(f"VACUUM (ANALYZE) {tables}")
                    return
            cur.execute("ANALYZE")


def _existing_units() -> dict[tuple[str, ...], tuple[int, str, int]]:
    """Every unit by its path of names, so an appended run reuses the tree."""
    rows = {r[0]: r for r in Unit.objects.values_list("id", "parent_id", "name", "path", "depth")}
    out: dict[tuple[str, ...], tuple[int, str, int]] = {}
    for uid, _parent, _name, path, depth in rows.values():
        ids = [int(p) for p in path.strip("/").split("/") if p]
        if all(i in rows for i in ids):
            out[tuple(rows[i][2] for i in ids)] = (uid, path, depth)
    return out


class Command(LedgerCommand):
    help = "Load a synthetic province ledger (units, plans, problems, tasks, reports)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tasks", type=int, required=True, help="number of tasks")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--reports-per-task",
            type=float,
            default=3.0,
            help="average progress reports per task (default 3)",
        )
        parser.add_argument(
            "--batch", type=int, default=20000, help="tasks per transaction (default 20000)"
        )
        parser.add_argument(
            "--append", action="store_true", help="add to a ledger that already holds tasks"
        )
        parser.add_argument(
            "--history-weeks",
            type=int,
            default=26,
            help="weekly snapshots (调度快照) derived from the tasks' dates for the weeks "
            "before the generator's date (default 26; none with --append)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tasks"] < 1 or options["batch"] < 1:
            raise CommandError("--tasks and --batch must be positive")
        if not 0 <= options["history_weeks"] <= 520:
            raise CommandError("--history-weeks must be between 0 and 520")
        has_tasks = Task.objects.exists()
        if has_tasks and not options["append"]:
            raise CommandError(
                "this database already holds tasks; gen is meant for an empty benchmark "
                "database. Use --append to add to it anyway."
            )
        writer = Writer()  # checks the column lists before anything is written
        start_ids = {
            key: (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
            for key, (model, _) in TABLES.items()
        }
        generator = Generator(
            Config(
                tasks=options["tasks"],
                seed=options["seed"],
                reports_per_task=options["reports_per_task"],
                batch=options["batch"],
                run_label=f"(批次{start_ids['plan']})" if has_tasks else "",
                # An appended run adds tasks to weeks already frozen: it writes none.
                history_weeks=0 if has_tasks else options["history_weeks"],
            ),
            start_ids=start_ids,
            existing_units=_existing_units() if has_tasks else None,
            existing_groups=dict(UnitGroup.objects.values_list("name", "id")),
            existing_inspections=dict(Inspection.objects.values_list("name", "id")),
        )
        started = time.monotonic()
        written = 0
        for batch in generator.batches():
            with transaction.atomic():
                written += writer.write(batch)
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"  {generator.counts['task']:>9} / {options['tasks']} tasks, "
                f"{written:>10} rows, {written / max(elapsed, 1e-9):>9.0f} rows/s"
            )
        writer.finish()
        counts = dict(generator.counts)
        with transaction.atomic():  # the logins and the run's audit event together
            counts["logins"] = unit_logins()
            services.audit(
                Actor.system("gen"),
                "ledger.generate",
                Unit.objects.get(pk=generator.province.node.id),
                after={**counts, "seed": options["seed"], "append": bool(has_tasks)},
            )
        elapsed = time.monotonic() - started
        self.stdout.write("  ".join(f"{k}={v}" for k, v in counts.items() if v))
        self.stdout.write(
            self.style.SUCCESS(
                f"{written} rows in {elapsed:.1f} s ({written / max(elapsed, 1e-9):.0f} rows/s) "
                f"on {connection.vendor}"
            )
        )


def unit_logins() -> int:
    """One login for every unit that leads a task (role unit) and one for every unit
    that supervises one (role supervisor), where the unit has none of that role yet;
    the passwords are unusable. Returns how many were created."""
    User = get_user_model()
    wanted: list[tuple[str, int]] = []
    for role, parts in (
        (Role.UNIT, [AssignmentRole.LEAD]),
        (Role.SUPERVISOR, [AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING]),
    ):
        units = set(
            TaskUnit.objects.filter(role__in=parts).values_list("unit_id", flat=True).distinct()
        )
        units -= set(Profile.objects.filter(role=role).values_list("unit_id", flat=True))
        wanted += [(role, unit_id) for unit_id in sorted(units)]
    users = User.objects.bulk_create(
        [User(username=f"gen-{role}-{unit_id}", password="!") for role, unit_id in wanted]
    )
    Profile.objects.bulk_create(
        Profile(user=user, role=role, unit_id=unit_id)
        for user, (role, unit_id) in zip(users, wanted, strict=True)
    )
    return len(wanted)
