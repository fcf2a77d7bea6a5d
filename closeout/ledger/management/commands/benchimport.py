"""`closeout benchimport --rows N`: the time to preview and to apply a ledger workbook (台账)
of N edited rows on the current database (the ledger `closeout gen` filled).

Writes a workbook of N reporting tasks with new progress text and a higher percentage,
then times `ledger_import_preview` and `ledger_import_apply` as the office. Applying
writes N progress reports into the ledger: run it on a generated ledger, not a real one.

`--ledger-draft`: instead, the time to import an office's own ledger of N rows as a draft
plan (`plan_import`: the isolated read, the tasks, their units and first reports), the
issue's target being 5,000 rows in at most 5 s. The workbook is written as offices keep
theirs (`ledgerbench.office_ledger`), naming the registry's units (the Jinan registry's,
loaded for the run, when the database has none); the run is rolled back unless `--keep`.
"""

from __future__ import annotations

import io
import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from openpyxl import Workbook

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.demo import jinan
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.management.ledgerbench import office_ledger
from closeout.ledger.models import Role, Task, Unit
from closeout.ledger.rules.workflow import REPORTING_STATES
from closeout.ledger.services.imports import stored_path
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
        parser.add_argument(
            "--ledger-draft",
            action="store_true",
            help="time importing an office's own ledger of N rows as a draft plan",
        )
        parser.add_argument(
            "--keep", action="store_true", help="with --ledger-draft: keep the draft plan"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ledger_draft"]:
            self._ledger_draft(options["rows"], keep=options["keep"])
            return
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
        w(
            f"apply: {applied - previewed:.2f} s ({result.reports} reports written, "
            "preview included)"
        )

    def _ledger_draft(self, rows: int, *, keep: bool) -> None:
        actor = Actor(role=Role.OFFICE, label="closeout benchimport")
        w = self.stdout.write

        class Rollback(Exception):
            pass

        digest = None
        try:
            with transaction.atomic():
                if not Unit.objects.filter(active=True).exists():
                    jinan.load_units(actor)
                names = list(
                    Unit.objects.filter(active=True, name__startswith="市")
                    .order_by("pk")
                    .values_list("name", flat=True)[:40]
                )
                data = office_ledger(rows, names or ["市生态环境局"])
                started = time.perf_counter()
                read = services.parse_upload(data, "bench-ledger.xlsx")
                parsed = time.perf_counter()
                out = services.plan_import(actor, data=data, name="bench-ledger.xlsx")
                imported = time.perf_counter()
                digest = out.plan.content_hash
                w(f"rows: {rows} ({len(data) // 1024} KB workbook, {len(read.tasks)} tasks read)")
                w(f"read alone (isolated child): {parsed - started:.2f} s")
                w(f"import to a draft: {imported - parsed:.2f} s (read included; {out.tasks} "
                  f"tasks, {out.reports} first reports, {len(out.unresolved)} unit names "
                  f"to decide; target 5 s for 5000 rows)")  # fmt: skip
                if not keep:
                    raise Rollback
        except Rollback:
            if digest:
                stored_path(digest).unlink(missing_ok=True)
            w(f"rolled back (--keep keeps the draft plan in {settings.DATA_DIR})")
