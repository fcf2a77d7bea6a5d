"""`closeout export xlsx|letter ...`: the ledger as a workbook, a measure as its letter.

Each kind of file has its own module (`exportxlsx`, `exportletter`), which registers its
sub-command here.
"""

from __future__ import annotations

from typing import Any

import closeout.ledger.management.exportletter as exportletter
import closeout.ledger.management.exportxlsx as exportxlsx
from closeout.ledger.management.base import LedgerCommand


class Command(LedgerCommand):
    help = "Export the ledger as an Excel workbook (xlsx) or a measure as its letter (letter)."

    def add_arguments(self, parser: Any) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{xlsx,letter}")
        exportxlsx.register(kinds)
        exportletter.register(kinds)

    def handle(self, *args: Any, **options: Any) -> None:
        options["run"](self, options)
