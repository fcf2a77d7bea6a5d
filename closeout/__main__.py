"""The `closeout` command: Django's command runner under our name.

Every command is a management command (see closeout/ledger/management/commands), so
tests call them with `call_command` and `closeout --help` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "closeout.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["closeout", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
