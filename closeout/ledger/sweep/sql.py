"""SQL building blocks that Django does not provide portably, written once for SQLite
and PostgreSQL: whole days between two dates, adding months to a date, a date as ISO
text, and set-based `INSERT … SELECT` / `UPDATE … FROM` from a queryset.

The closed loop's sweep works on every task at once through these (a million tasks in
a few statements), so that no rule runs as a Python loop over tasks. It runs the same
statements every day with another date: `Slot` marks such a value, and `statement`
keeps each statement compiled once per process (`Statement.run` fills the slots), since
building and compiling them in Django costs more than running them on a city's ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import CharField, DateField, Expression, Field, Func, IntegerField, Value


class DaysBetween(Func):
    """Whole days from `earlier` to `later` (negative when `later` comes first)."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


class AddMonths(Func):
    """`date` plus `months` calendar months, the day clamped to the month's end
    (31 January + 1 month = 28/29 February), the same on both databases."""

    output_field = DateField()
    arity = 1

    def __init__(self, date: Any, months: int) -> None:
        if not isinstance(months, int) or months < 0:
            raise ValueError("months must be a whole number ≥ 0")
        self.months = months
        super().__init__(date)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        # PostgreSQL's interval arithmetic clamps to the month's end by itself.
        return super().as_sql(
            compiler,
            connection,
            template=f"CAST((%(expressions)s + INTERVAL '{self.months} months') AS date)",
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite rolls 31 January + 1 month over to 3 March; the earlier of that and the
        # last day of the target month is the clamped date (ISO text compares as dates).
        m = self.months
        return super().as_sql(
            compiler,
            connection,
            template=(
                f"min(date(%(expressions)s, '+{m} months'), "
                f"date(%(expressions)s, 'start of month', '+{m + 1} months', '-1 day'))"
            ),
        )


class DateText(Func):
    """A date as ISO text, 'YYYY-MM-DD' (for cause keys built in SQL)."""

    output_field = CharField()
    arity = 1

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        return super().as_sql(
            compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM-DD')"
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="date(%(expressions)s)")


class Slot(Expression):
    """A named parameter whose value is given when the statement runs
    (`Statement.run(name=value)`), typed by its field like a `Value`."""

    def __init__(self, name: str, output_field: Field) -> None:  # type: ignore[type-arg]
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        return "%s", [_Mark(self.name, self.output_field)]

    def get_group_by_cols(self) -> list[Any]:
        return []


@dataclass(frozen=True)
class _Mark:
    """Where a slot's value goes in a compiled statement's parameters."""

    name: str
    field: Any


def date_value(day: dt.date | Slot) -> Expression:
    """A date parameter typed as a date on both databases (a slot stays a slot)."""
    if isinstance(day, Slot):
        return day
    return Value(day, output_field=DateField())


def compiled(queryset: models.QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """A queryset's SQL and parameters, without its default ordering."""
    sql, params = queryset.order_by().query.sql_with_params()
    return sql, tuple(params)


# After inserting this many rows at once, PostgreSQL's statistics of the table are renewed.
ANALYZE_AFTER_ROWS = 10_000


# Where a statement's rows come from: `Statement.template` holds this marker.
ROWS = "{rows}"
# The temporary table the rows are staged in on PostgreSQL (dropped after each statement).
STAGE = "closeout_stage"


@dataclass(frozen=True)
class Statement:
    """A write whose rows come from a compiled SELECT: `template` is the INSERT or UPDATE
    with `ROWS` where the rows go, `select` the query with its parameters (slots among
    them), and `analyze` the table whose statistics PostgreSQL should renew after a large
    write to it."""

    template: str
    select: str
    params: tuple[Any, ...]
    analyze: str | None = None

    @property
    def sql(self) -> str:
        """The statement in one piece (what SQLite runs)."""
        return self.template.replace(ROWS, f"({self.select})")

    def bind(self, values: dict[str, Any]) -> tuple[Any, ...]:
        wanted = {p.name for p in self.params if isinstance(p, _Mark)}
        if wanted != set(values):
            raise ValueError(f"the statement has slots {sorted(wanted)}, given {sorted(values)}")
        return tuple(
            p.field.get_db_prep_value(values[p.name], connection) if isinstance(p, _Mark) else p
            for p in self.params
        )

    def run(self, **values: Any) -> int:
        """Execute with the slots filled; returns the number of rows written.

        On PostgreSQL the rows' SELECT is planned without nested-loop joins. It joins
        whole tables, where a nested loop wins only when one side is small, and the
        planner believes that of a table just written to (stale statistics) or being
        filled by the statement itself, then scans the other side once per row: minutes
        on a million tasks. Hash and merge joins read each side once (and build their
        hash or sort before the first row is written), whatever the estimate. Inside
        `staging()`, the rows are first staged in a temporary table (`_run_staged`).
        """
        params = self.bind(values)
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute(self.sql, params)
                return max(cursor.rowcount, 0)
            if _STAGING.get():
                rows = self._run_staged(cursor, params)
            else:
                with _without_nested_loops(cursor):
                    cursor.execute(self.sql, params)
                    rows = max(cursor.rowcount, 0)
            if self.analyze and rows >= ANALYZE_AFTER_ROWS:
                # The next statements of the same transaction read this table; with
                # statistics from before a large write the planner misjudges them (an
                # empty table, no overdue task) and scans a table once per row, for
                # minutes. Statistics renewed here count this transaction's own rows.
                cursor.execute(f"ANALYZE {self.analyze}")
            return rows

    def _run_staged(self, cursor: Any, params: tuple[Any, ...]) -> int:
        """PostgreSQL: the rows first, into a temporary table, then the write from it.
        The SELECT then runs in parallel (inside an INSERT or UPDATE it never does), and
        a run with nothing to write stops there. Creating the table costs a few
        milliseconds: worth it on a large ledger only (see `staging`)."""
        with _without_nested_loops(cursor):
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGE} ON COMMIT DROP AS {self.select}", params
            )
            staged = max(cursor.rowcount, 0)
        rows = 0
        if staged:
            if staged >= ANALYZE_AFTER_ROWS:  # a few rows: the planner's guess will do
                cursor.execute(f"ANALYZE {STAGE}")
            cursor.execute(self.template.replace(ROWS, STAGE))
            rows = max(cursor.rowcount, 0)
        cursor.execute(f"DROP TABLE {STAGE}")
        return rows


_STAGING: ContextVar[bool] = ContextVar("closeout_sql_staging", default=False)


@contextmanager
def staging(enabled: bool = True) -> Iterator[None]:
    """Statements run in this block stage their rows in a temporary table first
    (PostgreSQL; see `Statement._run_staged`)."""
    token = _STAGING.set(enabled)
    try:
        yield
    finally:
        _STAGING.reset(token)


@contextmanager
def _without_nested_loops(cursor: Any) -> Iterator[None]:
    """PostgreSQL plans the statements of this block without nested loops (a setting of
    the transaction, put back afterwards; an error aborts the transaction, and with it
    the setting). Read the block's row count inside it: putting the setting back is a
    statement of its own."""
    cursor.execute(
        "SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', true)"
    )
    previous = str(cursor.fetchone()[0])
    yield
    cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [previous])


_STATEMENTS: OrderedDict[tuple[Any, ...], Statement] = OrderedDict()
STATEMENTS_KEPT = 256


def statement(key: Hashable, build: Callable[..., Statement], *args: Any) -> Statement:
    """The statement stored under `key` for this database, built (and compiled) by
    `build(*args)` the first time. The key must name everything the statement depends
    on but its slots."""
    full = (connection.alias, connection.vendor, key)
    found = _STATEMENTS.get(full)
    if found is None:
        found = _STATEMENTS[full] = build(*args)
        if len(_STATEMENTS) > STATEMENTS_KEPT:
            _STATEMENTS.popitem(last=False)
    else:
        _STATEMENTS.move_to_end(full)
    return found


def _column(model: type[models.Model], attr: str) -> str:
    """The database column of a concrete field, by attribute name ("task_id") or "pk"."""
    field = model._meta.pk if attr == "pk" else model._meta.get_field(attr.removesuffix("_id"))
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{attr} is not a column")
    return column


def insert_select(
    model: type[models.Model], columns: dict[str, str], queryset: models.QuerySet[Any]
) -> Statement:
    """`INSERT INTO <model> (columns) SELECT …` with the rows of `queryset`. `columns`
    maps the model's attribute names (e.g. "task_id") to the names the queryset selects
    (annotations, e.g. "_task"). `.run()` returns the number of rows inserted."""
    names = {*queryset.query.annotation_select, *queryset.query.values_select}
    missing = set(columns.values()) - names
    if missing:
        raise ValueError(f"the queryset does not select {sorted(missing)}")
    inner, params = compiled(queryset)
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    db_columns = [_column(model, c) for c in columns]
    outer_cols = ", ".join(f"s.{qn(name)}" for name in columns.values())
    template = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in db_columns)}) "
        f"SELECT {outer_cols} FROM {ROWS} s"
    )
    return Statement(template, inner, params, analyze=table)


def update_from(
    model: type[models.Model],
    assignments: dict[str, str],
    queryset: models.QuerySet[Any],
    *,
    key: str = "id",
    changed_only: bool = True,
) -> Statement:
    """`UPDATE <model> SET column = s.<name> … FROM (<queryset>) s WHERE id = s.<key>`,
    touching only rows whose values differ when `changed_only`. `assignments` maps
    column attribute names to the names the queryset selects. `.run()` returns the
    number of rows updated."""
    inner, params = compiled(queryset)
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    sets, differs = [], []
    for attr, name in assignments.items():
        column = qn(_column(model, attr))
        sets.append(f"{column} = s.{qn(name)}")
        differs.append(f"{table}.{column} IS DISTINCT FROM s.{qn(name)}")
    where = f"{table}.{qn(_column(model, 'pk'))} = s.{qn(key)}"
    if changed_only:
        where += " AND (" + " OR ".join(differs) + ")"
    template = f"UPDATE {table} SET {', '.join(sets)} FROM {ROWS} s WHERE {where}"
    return Statement(template, inner, params, analyze=table)
