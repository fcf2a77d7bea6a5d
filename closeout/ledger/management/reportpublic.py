"""`closeout report progress --plan N [--as-of YYYY-MM-DD] [-o FILE] [--pdf]` and
`closeout report notice TASK_ID [--base-url URL] [-o FILE] [--pdf]`: the two documents
the public portal publishes, as Word files (or PDF through LibreOffice).

`progress` is the public progress report of a published plan (整改进展情况公示), as of
today or `--as-of`; `notice` is the close-out notice (销号公示) of a task under public
notice, whose objection address is the portal's task page, written in full when
`--base-url` gives the portal's address (e.g. https://portal.example). Both hold the
portal's public fields only (`closeout.ledger.selectors.publicdocs`), the same as the
portal's own downloads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError

from closeout.documents import pdf, publicdocs
from closeout.ledger.management.documentfiles import write_document
from closeout.ledger.selectors import publicdocs as selectors


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "progress",
        help="The progress report (整改进展情况公示) of a published plan as a Word document.",
    )
    p.add_argument("--plan", type=int, required=True, help="the published plan (its id)")
    p.add_argument("--as-of", default=None, help="the report's day (YYYY-MM-DD; default today)")
    p.add_argument("-o", "--output", default=None, help="the file to write")
    p.add_argument("--pdf", action="store_true", help="write a PDF (needs LibreOffice)")
    p.set_defaults(run=handle_progress)

    n = subparsers.add_parser(
        "notice",
        help="The close-out notice (销号公示) of a task under public notice as a Word document.",
    )
    n.add_argument("task_id", type=int, help="the task under public notice (its id)")
    n.add_argument(
        "--base-url", default="",
        help="the portal's address, for the objection link (e.g. https://portal.example)",
    )  # fmt: skip
    n.add_argument("-o", "--output", default=None, help="the file to write")
    n.add_argument("--pdf", action="store_true", help="write a PDF (needs LibreOffice)")
    n.set_defaults(run=handle_notice)


def _day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"--as-of: {value!r} is not a date (YYYY-MM-DD)") from None


def _base_url(value: str) -> str:
    value = value.strip()
    if value and not value.startswith(("http://", "https://")):
        raise CommandError(f"--base-url: {value!r} is not an http:// or https:// address")
    return value


def _write(command: Any, options: dict[str, Any], data: bytes, name: str) -> None:
    """Write the .docx, or its PDF with --pdf, to -o or `name` in the current folder."""
    out, size = write_document(options, data, name)
    command.stdout.write(f"{out} ({size} bytes)")


def handle_progress(command: Any, options: dict[str, Any]) -> None:
    as_of = _day(options["as_of"])
    if options["pdf"] and not pdf.available():
        raise CommandError(pdf.INSTALL_HINT)
    report = selectors.progress_report(options["plan"], as_of)  # NotFound: a CommandError
    name = f"整改进展情况公示-{report.plan_id}-{report.as_of:%Y%m%d}.docx"
    _write(command, options, publicdocs.progress_report_docx(report), name)


def handle_notice(command: Any, options: dict[str, Any]) -> None:
    base_url = _base_url(options["base_url"])
    if options["pdf"] and not pdf.available():
        raise CommandError(pdf.INSTALL_HINT)
    notice = selectors.closeout_notice(options["task_id"], base_url=base_url)
    name = f"销号公示-{notice.task_id}.docx"
    _write(command, options, publicdocs.closeout_notice_docx(notice), name)
