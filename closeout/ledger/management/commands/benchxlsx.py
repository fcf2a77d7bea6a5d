"""`closeout benchxlsx [--per-unit] [--columns C,...] [-o FILE]`: the time and peak memory
of exporting the current database's ledger as the office's workbook (台账导出).

Prints the tasks written, the seconds taken, the process's peak resident memory (MB,
from getrusage: the highest it has been, including Django and the database driver) and
the file's size. The target of the issue: 100,000 tasks in ≤ 8 s within ≤ 300 MB.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from closeout.ledger.access import Actor
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.models.accounts import Role
from closeout.ledger.selectors.exports import ledger_workbook


class Command(LedgerCommand):
    help = "Measure the export of the whole ledger as an Excel workbook (as the office)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-unit", action="store_true", help="one sheet per lead unit")
        parser.add_argument("--columns", default="", help="optional columns, comma-separated")
        parser.add_argument("-o", "--output", help="keep the workbook here (default: deleted)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor(role=Role.OFFICE, label="closeout benchxlsx")
        columns = [c for c in options["columns"].split(",") if c.strip()]
        with tempfile.TemporaryDirectory(prefix="closeout-benchxlsx-") as work:
            path = Path(options["output"] or Path(work) / "ledger.xlsx")
            start = time.perf_counter()
            summary = ledger_workbook(
                actor, None, target=path, optional=columns, per_unit=options["per_unit"]
            )
            seconds = time.perf_counter() - start
            size = path.stat().st_size
        # KiB on Linux; a large ledger is written by a child process, whose peak counts too.
        peak_mb = max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        ) / 1024
        figures = {
            "tasks": summary.tasks,
            "problems": summary.problems,
            "sheets": len(summary.sheets),
            "seconds": round(seconds, 2),
            "peak_mb": round(peak_mb),
            "file_mb": round(size / 1e6, 1),
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(
            f"tasks {figures['tasks']}, problems {figures['problems']}, "
            f"sheets {figures['sheets']}: {figures['seconds']} s, "
            f"peak memory {figures['peak_mb']} MB, file {figures['file_mb']} MB"
        )
