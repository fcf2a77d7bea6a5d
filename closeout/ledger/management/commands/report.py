"""`closeout report circular|progress|notice ...`: the Word documents an office sends.

Each document has its own module (`reportcircular` for the circular 调度通报,
`reportpublic` for the public progress report 整改进展情况公示 and the close-out
notice 销号公示), which registers its sub-command here.
"""

from __future__ import annotations

from typing import Any

import closeout.ledger.management.reportcircular as reportcircular
import closeout.ledger.management.reportpublic as reportpublic
from closeout.ledger.management.base import LedgerCommand


class Command(LedgerCommand):
    help = (
        "Write a circular (circular), the public progress report (progress) "
        "or a close-out notice (notice)."
    )

    def add_arguments(self, parser: Any) -> None:
        kinds = parser.add_subparsers(
            dest="kind", required=True, metavar="{circular,progress,notice}"
        )
        reportcircular.register(kinds)
        reportpublic.register(kinds)

    def handle(self, *args: Any, **options: Any) -> None:
        options["run"](self, options)
