"""The `closeout` command: Django's command runner under our name.

Every command is a management command (see closeout/ledger/management/commands), so
tests call them with `call_command` and `closeout --help` lists them all.

One exception on the way in: `closeout parse FILE` needs neither the database nor the
Django project, whose start-up (settings, apps, system checks) took longer than the
parse itself, so it runs `closeout.ingest.cli` directly, with the same options, output
and exit codes as the management command of that name. A line that needs Django
(--settings, --pythonpath, --version, another settings module) still goes to Django.
"""

from __future__ import annotations

import os
import sys

SETTINGS = "closeout.settings"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["parse"] and os.environ.get("DJANGO_SETTINGS_MODULE", SETTINGS) == SETTINGS:
        from closeout.ingest.cli import run

        code = run(args[1:])
        if code is not None:
            if code:
                raise SystemExit(code)
            return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["closeout", *args])


if __name__ == "__main__":
    main()
