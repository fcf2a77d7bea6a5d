"""What every closeout command shares: a clear error instead of a traceback, and a
database brought up to date before the command touches it."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from closeout.ledger.errors import DomainError


def ensure_migrated(verbosity: int = 0) -> None:
    """Apply pending migrations (an empty data folder gets its database here)."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=verbosity)


class LedgerCommand(BaseCommand):
    """Base for commands that use the ledger database."""

    needs_database = True

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            if self.needs_database:
                ensure_migrated()
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except DatabaseError as exc:
            # Whatever fails here (server down, wrong credentials, an unwritable file) is
            # worth one clear line rather than a traceback.
            raise CommandError(
                _("cannot use the database: %(error)s")
                % {"error": str(exc).strip() or type(exc).__name__}
            ) from exc
