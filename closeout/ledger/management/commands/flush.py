"""`closeout flush`: Django's flush, let through the append-only tables' SQLite triggers.

Emptying the whole database is a deliberate reset, which PostgreSQL allows already (its
flush is a TRUNCATE, which fires no row trigger). The test runner uses this command to
empty the tables between transactional tests.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from closeout.ledger.models.appendonly import resetting


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with resetting():
            super().handle(**options)
