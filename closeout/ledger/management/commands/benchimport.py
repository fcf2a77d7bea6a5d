"""`closeout benchimport --rows N`: the time to preview and to apply a ledger workbook (台账)
of N edited rows on the current database (the ledger `closeout gen` filled).

Writes a workbook of N reporting tasks with new progress text and a higher percentage,
then times `ledger_import_preview` and `ledger_import_apply` as the office. Applying
writes N progress reports into the ledger: run it on a generated ledger, not a real one.
"""

from __future__ import annotations

import io
import time
from typing import Any

from django.core.management.base import CommandError
from openpyxl import Workbook

from closeout.ledger.access import Actor
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.models import Role, Task
from closeout.ledger.rules.workflow import REPORTING_STATES
from closeout.ledger.services.ledgerimport import ledger_import_apply, ledger_import_preview

HEADER = ["序号", "整改措施", "整改进展", "进度(%)", "完成情况", "任务编号"]


def bench_workbook(rows: list[tuple[int, str, int]]) -> bytes:
    """A workbook of (task id, task text, progress) rows, each with a new progress text
    and a percentage a little higher than the task's."""
    stamp = time.strftime("%H:%M:%S")  # each run's texts differ from the last run's
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["整改台账（基准测试）"])
    ws.append(HEADER)
    for seq, (task_id, text, progress) in enumerate(rows, 1):
        percent = min(100, progress + 5)
        ws.append([seq, text, f"第{seq}项：{stamp}完成现场核查，推进整改", percent,
                   "已完成" if percent == 100 else "推进中", task_id])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class Command(LedgerCommand):
    help = "Time the preview and the apply of a ledger workbook of N edited rows."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rows", type=int, default=10_000)

    def handle(self, *args: Any, **options: Any) -> None:
        rows = list(
            Task.objects.filter(status__in=REPORTING_STATES)
            .order_by("pk")
            .values_list("pk", "text", "progress")[: options["rows"]]
        )
        if not rows:
            raise CommandError("no task in progress: fill the ledger with `closeout gen` first")
        actor = Actor(role=Role.OFFICE, label="closeout benchimport")
        data = bench_workbook(rows)
        started = time.perf_counter()
        preview = ledger_import_preview(actor=actor, data=data, name="bench.xlsx")
        previewed = time.perf_counter()
        result = ledger_import_apply(actor=actor, data=data, name="bench.xlsx",
                                     digest=preview.digest)  # fmt: skip
        applied = time.perf_counter()
        w = self.stdout.write
        w(f"rows: {len(rows)} ({len(data) // 1024} KB workbook)")
        w(f"preview: {previewed - started:.2f} s ({preview.reports} reports, "
          f"{len(preview.refusals)} refused)")  # fmt: skip
        w(f"apply: {applied - previewed:.2f} s ({result.reports} reports written, "
          "preview included)")
