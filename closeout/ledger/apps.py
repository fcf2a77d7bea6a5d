from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The ledger (整改台账): units, inspections, plans, problems, tasks, reports, events."""

    name = "closeout.ledger"
    label = "ledger"
    verbose_name = _("Rectification ledger")
