"""`closeout export letter ESCALATION_ID [-o FILE] [--pdf]`: an escalation measure as its
numbered letter (督办函, 提醒函, 通报, 挂牌督办通知 …), a Word document or its PDF.

The number is issued the first time the letter is asked for and kept
(`services.letters`, `services.numbering`); the default file name is the letter's
own, "督办〔2026〕3号督办函.docx", in the current folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from closeout.documents import pdf
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotFound


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "letter", help="An escalation measure as its numbered letter (督办函), a Word document."
    )
    p.add_argument("escalation_id", type=int, metavar="ESCALATION_ID", help="the measure's id")
    p.add_argument("-o", "--output", default=None, help="the file to write")
    p.add_argument("--pdf", action="store_true", help="write a PDF (needs LibreOffice)")
    p.set_defaults(run=handle)


def handle(command: Any, options: dict[str, Any]) -> None:
    from closeout.ledger.services.letters import escalation_letter_file

    if options["pdf"] and not pdf.available():
        raise CommandError(pdf.INSTALL_HINT)
    try:
        letter = escalation_letter_file(
            actor=Actor.system("closeout export letter"),
            escalation_id=options["escalation_id"],
            as_pdf=options["pdf"],
        )
    except NotFound:
        raise CommandError(f"there is no escalation measure {options['escalation_id']}") from None
    except pdf.PdfFailed as error:
        raise CommandError(str(error)) from None
    path = Path(options["output"] or letter.filename)
    if path.is_dir():
        path = path / letter.filename
    try:
        path.write_bytes(letter.data)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror}") from None
    command.stdout.write(f"{path} ({len(letter.data)} bytes)")
