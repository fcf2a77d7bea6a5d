"""Rows inserted in sets straight from their values (批量写入): `bulk_create` without a
model instance per row.

A plan's import writes some fifty thousand rows (tasks, their states, units, persons,
first reports and one audit event for each); `bulk_create` spends most of its time on
the instances it is given and on preparing each of their values one by one, more than
the database takes to store them. `insert` takes each row as a mapping of field names
(attribute names: `task_id`) to values and writes exactly what `bulk_create` writes for
the same values:

- a field the row leaves out gets its default (`Field.get_default`), a date field with
  `auto_now`/`auto_now_add` the time of the call, as `pre_save` gives it;
- every value is prepared by its field (`get_db_prep_save`), except those the field
  would hand on unchanged: None for a field of a standard type, a value of the field's
  own plain type (a str for a text column, a bool for a boolean, an int for an integer
  or a key where the backend takes ints as they are); a date or a time is prepared
  once per distinct value;
- one INSERT per `batch` rows within the backend's parameter limit (on PostgreSQL an
  array per column, UNNEST, as Django's compiler does there), RETURNING the primary
  keys where the table generates them; `ignore_conflicts` as `bulk_create`'s.

`insert_instances` also returns the rows as saved model instances, as `bulk_create`
leaves its objects, for the callers that go on with them. A test holds `insert`
to the rows `bulk_create` writes, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.constants import OnConflict
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

M = TypeVar("M", bound=models.Model)
BATCH = 500
_TEXT = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_INTEGER = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}  # fmt: skip
_TEMPORAL = {"DateField", "DateTimeField"}
_STANDARD = {*_TEXT, *_INTEGER, *_TEMPORAL, "BooleanField", "JSONField"}  # None stays NULL
_MISSING = object()


def _plain_type(kind: str, connection: Any) -> type | None:
    """The type whose values a field of this internal type stores as they are, if any."""
    if kind in _TEXT:
        return str
    if kind == "BooleanField":
        return bool
    base = BaseDatabaseOperations.adapt_integerfield_value
    if kind in _INTEGER and type(connection.ops).adapt_integerfield_value is base:
        return int
    return None


class _Unmatched:
    """No value's type: the fields without a plain type prepare every value."""


def _converter(field: models.Field[Any, Any], connection: Any) -> tuple[type, bool, Any]:
    """How an insert prepares a field's values, as (plain type, None as NULL, prepare):
    a value of the plain type, and None for a field of a standard type, is stored as it
    is; any other value by `field.get_db_prep_save`, a date's or a time's once per
    distinct value (a set's rows share their times)."""
    prep = field.get_db_prep_save
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    kind = target.get_internal_type()
    if kind not in _STANDARD:
        return _Unmatched, False, lambda value: prep(value, connection=connection)
    if kind in _TEMPORAL:
        done: dict[Any, Any] = {}

        def temporal(value: Any) -> Any:
            if value not in done:
                done[value] = prep(value, connection=connection)
            return done[value]

        return _Unmatched, True, temporal
    plain = _plain_type(kind, connection) or _Unmatched
    return plain, True, lambda value: prep(value, connection=connection)


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns an insert names: the concrete fields, less a generated primary key."""
    fields = []
    for f in model._meta.concrete_fields:
        if f.primary_key and isinstance(f, models.AutoField):
            continue
        if (
            getattr(f, "get_placeholder", None) is not None
            or f.generated
            or f.db_default is not NOT_PROVIDED
        ):
            raise TypeError(f"{model.__name__}.{f.name}: not a field `insert` writes")
        if not isinstance(f, models.DateField) and type(f).pre_save is not models.Field.pre_save:
            raise TypeError(f"{model.__name__}.{f.name}: its pre_save is not `insert`'s")
        fields.append(f)
    return fields


def _auto_value(field: models.Field[Any, Any]) -> Any:
    if not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
        return _MISSING
    return timezone.now() if isinstance(field, models.DateTimeField) else dt.date.today()


def complete(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows with every insertable field: the defaults and auto dates filled in."""
    fields = _fields(model)
    names = {f.attname for f in fields} | {model._meta.pk.attname}
    fixed = {f.attname: v for f in fields if (v := _auto_value(f)) is not _MISSING}
    made = [  # defaults made anew for each row (list, dict, timezone.now)
        (f.attname, f.default)
        for f in fields
        if f.attname not in fixed and f.has_default() and callable(f.default)
    ]
    static = {
        f.attname: f.get_default()
        for f in fields
        if f.attname not in fixed and not (f.has_default() and callable(f.default))
    }
    out = []
    for row in rows:
        if not names.issuperset(row):
            unknown = sorted(set(row) - names)
            raise TypeError(f"{model.__name__}: unknown fields {unknown}")
        full = {**static, **row, **fixed}
        for name, default in made:
            if name not in row:
                full[name] = default()
        out.append(full)
    return out


def insert(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    batch: int = BATCH,
    ignore_conflicts: bool = False,
    arrays: bool = True,
) -> list[Any]:
    """Insert the rows (completed by `complete`); the primary keys of the new rows, in
    order, when the table generates them and no conflict is ignored, else [].

    `arrays=False`: on PostgreSQL too, a placeholder per value rather than an array per
    column, for rows of JSON documents (audit events): the driver escapes each quote of
    a JSON text in an array one at a time, which costs more than the placeholders."""
    return _insert(model, complete(model, rows), batch, ignore_conflicts, arrays)


def insert_instances(
    model: type[M], rows: Sequence[Mapping[str, Any]], *, batch: int = BATCH
) -> list[M]:
    """Insert the rows and return them as saved instances, as `bulk_create` leaves its
    objects (keys set, `_state.adding` false)."""
    full = complete(model, rows)
    pks = _insert(model, full, batch, False, True)
    db = router.db_for_write(model)
    names = [f.attname for f in model._meta.concrete_fields]
    pk_name = model._meta.pk.attname
    out = []
    for i, row in enumerate(full):
        if pks:
            row[pk_name] = pks[i]
        out.append(model.from_db(db, names, [row[name] for name in names]))
    return out


def _unnest(connection: Any, fields: Sequence[models.Field[Any, Any]]) -> Any:
    """PostgreSQL's UNNEST placeholders for the fields (`InsertUnnest`, what Django's
    compiler uses there for literal values), or None elsewhere or for a field that is not
    of a standard type."""
    if connection.vendor != "postgresql":
        return None
    from django.db.backends.postgresql.compiler import InsertUnnest

    for f in fields:
        kind = (f.target_field if f.is_relation else f).get_internal_type()  # type: ignore[attr-defined]
        if kind not in connection.data_types:
            return None
    # The types without their lengths, as Django's: no value is cut to fit.
    return InsertUnnest([f"(%s)::{(f.db_type(connection) or '').split('(')[0]}[]" for f in fields])


def _insert(
    model: type[models.Model],
    full: list[dict[str, Any]],
    batch: int,
    ignore_conflicts: bool,
    arrays: bool,
) -> list[Any]:
    if not full:
        return []
    connection = connections[router.db_for_write(model)]
    ops: Any = connection.ops  # the backend's, with the RETURNING hooks the base lacks
    fields = _fields(model)
    pk = model._meta.pk
    generated = isinstance(pk, models.AutoField)
    if (
        generated
        and not ignore_conflicts
        and not connection.features.can_return_rows_from_bulk_insert
    ):
        made = model._default_manager.bulk_create([model(**row) for row in full], batch_size=batch)
        return [obj.pk for obj in made]  # a backend that returns no keys from one insert
    returning = generated and not ignore_conflicts
    convert = [(f.attname, *_converter(f, connection)) for f in fields]
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    qn = ops.quote_name
    head = (
        f"{ops.insert_statement(on_conflict=on_conflict)} {qn(model._meta.db_table)} "
        f"({', '.join(qn(f.column) for f in fields)})"
    )
    suffix = ops.on_conflict_suffix_sql(fields, on_conflict, (), ())
    tail = ops.return_insert_columns([pk])[0] if returning else ""
    size = max(1, min(batch, ops.bulk_batch_size(fields, full)))
    unnest = _unnest(connection, fields) if arrays else None
    placeholders = ["%s"] * len(fields)
    pks: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(full), size):
            chunk = full[start : start + size]
            params: list[Any] = [
                v if type(v := row[name]) is plain or (v is None and none_null) else prep(v)
                for row in chunk
                for name, plain, none_null, prep in convert
            ]
            if unnest is not None and len(chunk) > 1:
                # One array per column, as Django's own bulk insert on PostgreSQL: a short
                # statement, planned (and split by the driver) once, not a placeholder a value.
                values = ops.bulk_insert_sql(fields, unnest)
                width = len(fields)
                params = [params[c::width] for c in range(width)]
            else:
                values = ops.bulk_insert_sql(fields, [placeholders] * len(chunk))
            sql = " ".join(part for part in (head, values, suffix, tail) if part)
            cursor.execute(sql, params)
            if returning:
                pks.extend(row[0] for row in ops.fetch_returned_insert_rows(cursor))
    return pks
