"""`closeout report circular --period YYYY-MM-DD|latest [--plan N] [--template FILE]
[-o FILE] [--pdf]`: the circular (调度通报) of a frozen period as a Word document.

The period is the snapshot period containing the day ("latest": the latest frozen
period). The number is issued the first time and kept (`services.circulars`); the
office's template is used when it keeps one, `--template` names another, and
`--builtin` forces the built-in official layout.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from closeout.documents import pdf
from closeout.ledger.access import Actor
from closeout.ledger.management.documentfiles import write_document
from closeout.ledger.models import Role


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "circular", help="The circular (调度通报) of a frozen period as a Word document."
    )
    p.add_argument(
        "--period", required=True,
        help="a day of the period (YYYY-MM-DD), or 'latest' for the latest frozen period",
    )  # fmt: skip
    p.add_argument("--plan", type=int, default=None, help="only this plan (its id)")
    p.add_argument("--template", default=None, help="a docxtpl .docx template to write through")
    p.add_argument(
        "--builtin", action="store_true", help="the built-in layout, not the office's template"
    )
    p.add_argument("-o", "--output", default=None, help="the file to write")
    p.add_argument("--pdf", action="store_true", help="write a PDF (needs LibreOffice)")
    p.set_defaults(run=handle)


def _period(value: str) -> dt.date | None:
    if value.strip() == "latest":
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--period: {value!r} is not a date (YYYY-MM-DD) nor 'latest'"
        ) from None


def handle(command: Any, options: dict[str, Any]) -> None:
    # Imported here: the charts (Altair) load only when a circular is written.
    from closeout.ledger.services.circulars import circular_document

    period = _period(options["period"])
    template = None
    if options["template"]:
        path = Path(options["template"])
        if not path.is_file():
            raise CommandError(f"--template: {path} is not a file")
        if path.suffix.lower() != ".docx":
            raise CommandError(f"--template: {path} is not a Word .docx file")
        template = path.read_bytes()
    if options["pdf"] and not pdf.available():
        raise CommandError(pdf.INSTALL_HINT)
    actor = Actor(role=Role.OFFICE, label="closeout report")
    made = circular_document(
        actor,
        period_end=period,
        plan_id=options["plan"],
        template=template,
        office_template=not options["builtin"],
    )
    out, size = write_document(options, made.data, made.name)
    command.stdout.write(f"{made.number}: {out} ({size} bytes)")
