"""`closeout parse FILE [--json]`: read a plan and print what the importer would propose.

It reads in its own process, within the reader's limits on unpacked size and pages but
without the child process an import uses: it writes nothing, and whoever runs it can
stop it, so a normal file is not made to wait for an interpreter to start.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError

from closeout.ingest import IngestError, ParseContext, parse, to_json
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.services.imports import read_limits


class Command(LedgerCommand):
    help = "Parse a plan (.txt, .docx, .pdf, .html) and print its tasks; --json for the contract."
    needs_database = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print the parse result as JSON")
        parser.add_argument("--year", type=int, help="the year a bare '年底' means")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot open file ({exc.strerror or exc})") from exc
        try:
            context = ParseContext(name=str(path), year=options["year"], reading=read_limits())
            result = parse(data, context)
        except IngestError as exc:
            raise CommandError(str(exc)) from exc
        out = cast(dict[str, Any], to_json(result))
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        for i, doc in enumerate(out["documents"]):
            self.stdout.write(f"document {i}: {doc['title'] or '-'} ({doc['date'] or '-'})")
        for task in out["tasks"]:
            deadline = task["deadline"]["raw"] or "-"
            units = "、".join(task["lead_units"]) or "-"
            mark = f" [duplicate of {task['duplicate_of']}]" if task["duplicate_of"] else ""
            self.stdout.write(f"{task['seq']:>4}. {task['text'][:40]} | {units} | {deadline}{mark}")
            for flag in task["flags"]:
                self.stdout.write(f"      ! {flag}")
        for warning in out["warnings"]:
            self.stdout.write(f"warning: {warning}")
        self.stdout.write(
            f"{len(out['tasks'])} tasks, {len(out['indicators'])} indicators, "
            f"{len(out['warnings'])} warnings"
        )
