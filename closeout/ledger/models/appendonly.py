"""Append-only tables (只增不改): rows are added, never changed or deleted.

The records that are the ledger's evidence of what happened — audit events, close-out
steps, progress reports and their evidence files — are written once by the service that
makes the change. Three layers refuse anything else:

- the model: `save()` of a row that exists and `delete()` raise `AppendOnlyError`;
- the query set (also the base manager, which Django's cascades use): `update()`,
  `delete()` and `_raw_delete()` raise `AppendOnlyError`;
- the database: triggers (migration 0011) reject UPDATE and DELETE from anywhere, raw
  SQL included, on SQLite and PostgreSQL.

The one change allowed is the one the database makes for a deleted user or milestone: a
link declared in `append_only_clearable` (an `on_delete=SET_NULL` foreign key) may be
set to NULL, by the query set and by the triggers alike. A row's other columns never
change.

A deliberate reset of the whole database stays possible: PostgreSQL's TRUNCATE (what
`flush` runs there) fires no row trigger, and on SQLite `flush` — the command, which the
test runner also uses between transactional tests — runs inside `resetting()`, which the
SQLite triggers consult through the `closeout_resetting()` SQL function. A connection
without that function (the sqlite3 shell, say) cannot delete from these tables at all.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any, ClassVar

from django.db import models


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only table."""


_resetting = contextvars.ContextVar("closeout_resetting", default=False)


@contextlib.contextmanager
def resetting() -> Iterator[None]:
    """Let a whole-database reset (the `flush` command) through the SQLite triggers."""
    token = _resetting.set(True)
    try:
        yield
    finally:
        _resetting.reset(token)


def install_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: the SQL function the SQLite DELETE triggers ask."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "closeout_resetting", 0, lambda: int(_resetting.get()), deterministic=False
        )


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes: rows are only ever added."""

    def _refuse(self) -> AppendOnlyError:
        return AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def update(self, **kwargs: Any) -> int:
        clearable = getattr(self.model, "append_only_clearable", ())
        if kwargs and all(k in clearable and v is None for k, v in kwargs.items()):
            return super().update(**kwargs)
        raise self._refuse()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        # Refused before Django opens its transaction, which an error would spoil.
        raise self._refuse()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self._refuse()

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]

    def _raw_delete(self, using: Any) -> int:
        raise self._refuse()


class AppendOnlyModel(models.Model):
    """Base of the append-only tables (see the module)."""

    # Foreign keys (on_delete=SET_NULL) that the database may clear; nothing else changes.
    append_only_clearable: ClassVar[tuple[str, ...]] = ()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        # Cascades and related lookups go through the base manager: the guarded one.
        base_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
