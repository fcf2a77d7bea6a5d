"""`closeout parse FILE [--json]`: read a plan and print what the importer would propose.

It reads in its own process, within the reader's limits on unpacked size and pages but
without the child process an import uses: it writes nothing, and whoever runs it can
stop it, so a normal file is not made to wait for an interpreter to start.

From the command line `closeout parse` runs without Django (closeout/__main__.py calls
`closeout.ingest.cli.run`); this command is the same one for `call_command` and
`closeout help parse`, through the same functions, with the limits from the settings.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from closeout.ingest import cli
from closeout.ledger.management.base import LedgerCommand
from closeout.ledger.services.imports import read_limits


class Command(LedgerCommand):
    help = cli.HELP
    needs_database = False

    def add_arguments(self, parser: Any) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            lines = cli.parse_lines(
                options["file"],
                as_json=options["json"],
                year=options["year"],
                reading=read_limits(),
            )
        except cli.ParseFailed as exc:
            raise CommandError(str(exc)) from exc
        for line in lines:
            self.stdout.write(line)
