"""`closeout importxlsx FILE --as USERNAME [--apply]`: a ledger workbook (台账) sent back by a
unit or an office: print what it would change and what it refuses (sheet, row, column);
`--apply` writes the changes as progress reports, all or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from closeout.ledger.access import Actor
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.services.ledgerimport import (
    ImportPreview,
    ledger_import_apply,
    ledger_import_preview,
)


def preview_lines(preview: ImportPreview) -> list[str]:
    """The preview as the command prints it."""
    lines = [
        f"{preview.name}: {preview.rows} rows, {preview.reports} to report "
        f"({len(preview.changes)} changes), {preview.unchanged} unchanged, "
        f"{len(preview.refusals)} refused"
    ]
    for change in preview.changes:
        lines.append(
            f"  change  {change.where}: task {change.task_id} {change.field}: "
            f"{change.old[:40]!r} -> {change.new[:40]!r}"
        )
    for note in preview.refusals:
        lines.append(f"  refused {note.where}: {note.message}")
    for note in preview.not_imported:
        lines.append(f"  kept    {note.where}: {note.message}")
    for note in preview.ignored:
        lines.append(f"  ignored {note.where}: {note.message}")
    return lines


class Command(LedgerCommand):
    help = "Preview (and with --apply import) the progress in a ledger workbook sent back."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", required=True,
                            help="the user who sends the workbook (a unit or the office)")
        parser.add_argument("--apply", action="store_true", help="write the changes")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot open file ({exc.strerror or exc})") from exc
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user is called {options['username']!r}")
        actor = Actor.of(user)
        preview = ledger_import_preview(actor=actor, data=data, name=path.name)
        for line in preview_lines(preview):
            self.stdout.write(line)
        if options["apply"]:
            result = ledger_import_apply(
                actor=actor, data=data, name=path.name, digest=preview.digest
            )
            self.stdout.write(f"applied: {result.reports} progress reports written")
