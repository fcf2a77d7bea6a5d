from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The ledger (整改台账): units, inspections, plans, problems, tasks, reports, events."""

    name = "closeout.ledger"
    label = "ledger"
    verbose_name = _("Rectification ledger")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from closeout.ledger.models.appendonly import install_sqlite_functions

        connection_created.connect(install_sqlite_functions, dispatch_uid="closeout-append-only")
