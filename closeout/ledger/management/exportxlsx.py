"""`closeout export xlsx [--plan N] [--unit N] [--bucket B,...] ... [--columns C,...]
[--per-unit] [--as USERNAME] [-o FILE] [--pdf]`: the ledger as its Excel workbook (台账).

The workbook holds what the ledger table shows the user named by `--as` with the same
filters (default: the office's view of everything); `--columns` adds optional columns
by key or header ("percent,序时进度"); `--per-unit` writes one sheet per lead unit.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from closeout.documents import pdf
from closeout.documents.columns import OPTIONAL
from closeout.ledger.access import Actor
from closeout.ledger.models.accounts import Role
from closeout.ledger.selectors.exports import ledger_filename, ledger_workbook
from closeout.ledger.selectors.tasks import TaskFilter


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("xlsx", help="The ledger as an Excel workbook (台账).")
    p.add_argument("--plan", type=int, help="only this plan's tasks (plan id)")
    p.add_argument("--unit", type=int, help="only tasks of this unit or any below it (unit id)")
    p.add_argument("--unit-role", help="with --unit: only this part (lead, coop, supervising …)")
    p.add_argument("--district", type=int, help="only tasks within this district (unit id)")
    p.add_argument("--status", default="", help="task statuses, comma-separated")
    p.add_argument("--bucket", default="", help="schedule statuses (序时进度), comma-separated")
    p.add_argument("--category", help="problem category (air, water …)")
    p.add_argument("--inspection", type=int, help="only this inspection's tasks (id)")
    p.add_argument("--problem", type=int, help="only this problem's tasks (id)")
    p.add_argument("--q", default="", help="text search, as on the ledger page")
    p.add_argument("--due-from", help="due on or after (YYYY-MM-DD)")
    p.add_argument("--due-to", help="due on or before (YYYY-MM-DD)")
    keys = ", ".join(c.key for c in OPTIONAL)
    p.add_argument("--columns", default="", help=f"optional columns, comma-separated: {keys}")
    p.add_argument("--per-unit", action="store_true", help="one sheet per lead unit")
    p.add_argument("--as", dest="as_user", help="export what this user sees (username)")
    p.add_argument("--as-of", help="the date in the title (YYYY-MM-DD; default today)")
    p.add_argument("-o", "--output", default=None, help="the file to write")
    p.add_argument("--pdf", action="store_true", help="write a PDF (needs LibreOffice)")
    p.set_defaults(run=handle)


def _day(option: str, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def _words(value: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in value.split(",") if w.strip())


def filters_of(options: dict[str, Any]) -> TaskFilter:
    """The TaskFilter the command's options describe."""
    return TaskFilter(
        plan=options.get("plan"),
        unit=options.get("unit"),
        unit_role=options.get("unit_role") or None,
        district=options.get("district"),
        status=_words(options.get("status") or ""),
        bucket=_words(options.get("bucket") or ""),
        category=options.get("category") or None,
        inspection=options.get("inspection"),
        problem=options.get("problem"),
        q=options.get("q") or "",
        due_from=_day("due-from", options.get("due_from")),
        due_to=_day("due-to", options.get("due_to")),
    )


def actor_of(username: str | None) -> Actor:
    """The user named, or the office's view of everything."""
    if not username:
        return Actor(role=Role.OFFICE, label="closeout export xlsx")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--as: there is no user {username!r}")
    return Actor.of(user)


def handle(command: Any, options: dict[str, Any]) -> None:
    if options["pdf"] and not pdf.available():
        raise CommandError(pdf.INSTALL_HINT)
    actor = actor_of(options.get("as_user"))
    filters = filters_of(options)
    as_of = _day("as-of", options.get("as_of"))
    suffix = ".pdf" if options["pdf"] else ".xlsx"
    path = Path(options["output"] or ledger_filename(as_of or dt.date.today(), suffix=suffix))
    if path.is_dir():
        path = path / ledger_filename(as_of or dt.date.today(), suffix=suffix)
    # Written next to its destination under a temporary name, then renamed: a failed
    # export never leaves half a workbook where the old one was.
    try:
        with tempfile.NamedTemporaryFile(
            dir=path.parent or ".", prefix=".ledger-", suffix=".xlsx", delete=False
        ) as out:
            work = Path(out.name)
    except OSError as error:
        raise CommandError(f"cannot write in {path.parent}: {error.strerror}") from None
    try:
        summary = ledger_workbook(
            actor,
            filters,
            target=work,
            optional=_words(options.get("columns") or ""),
            per_unit=options["per_unit"],
            as_of=as_of,
        )
        if options["pdf"]:
            try:
                work.write_bytes(pdf.to_pdf(work.read_bytes(), ".xlsx"))
            except pdf.PdfFailed as error:
                raise CommandError(str(error)) from None
        work.replace(path)
    finally:
        work.unlink(missing_ok=True)
    command.stdout.write(
        f"{path}: {summary.tasks} tasks, {summary.problems} problems, "
        f"{len(summary.sheets)} sheet(s), {path.stat().st_size} bytes"
    )
