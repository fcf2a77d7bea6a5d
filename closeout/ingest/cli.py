"""`closeout parse FILE [--json] [--year N]` without Django (方案试解析).

Parsing a file needs neither the database nor the Django project, and bringing both up
(settings, every app, the system checks) took three quarters of the command's time. So
``closeout/__main__.py`` sends `closeout parse …` here, and the management command of the
same name (which tests reach through ``call_command``) runs the same three functions:

1. ``add_arguments``: the command's own options, on either parser;
2. ``parse_lines``: read the file within the limits, parse it, and give the lines to
   print, or raise ``ParseFailed`` with the one-line reason;
3. ``run``: the whole command line, with Django's common options, its help text, its
   ``CommandError: …`` on standard error and its exit codes (0, 1 for a file that cannot
   be parsed, 2 for a bad command line), so a script cannot tell the two paths apart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from closeout.ingest.parse import parse
from closeout.ingest.result import ParseContext, to_json
from closeout.ingest.source import IngestError, ReadContext

HELP = (
    "Parse a plan (.txt, .docx, .doc, .wps, .pdf, .html) and print its tasks; "
    "--json for the contract."
)
# The reader's limits as closeout/settings.py reads them (PLAN_MAX_UNPACKED_BYTES,
# PLAN_MAX_PAGES): variable and default. A test holds the two readings equal.
UNPACKED_MB = ("CLOSEOUT_PLAN_MAX_UNPACKED_MB", 100)
PAGES = ("CLOSEOUT_PLAN_MAX_PAGES", 500)
# Options that only Django can honour: a settings module, a path, Django's version.
DJANGO_ONLY = ("--settings", "--pythonpath", "--version")


class ParseFailed(Exception):
    """The file cannot be opened or parsed; the message names the file and why."""


class NeedsDjango(Exception):
    """The command line asks for something only Django's runner does."""


def add_arguments(parser: Any) -> None:
    """The options of `closeout parse`, on an argparse parser (Django's or ours)."""
    parser.add_argument("file")
    parser.add_argument("--json", action="store_true", help="print the parse result as JSON")
    parser.add_argument("--year", type=int, help="the year a bare '年底' means")


def parse_lines(
    file: str, *, as_json: bool = False, year: int | None = None, reading: ReadContext
) -> list[str]:
    """What `closeout parse` prints for ``file``, one string per line."""
    path = Path(file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseFailed(f"{path}: cannot open file ({exc.strerror or exc})") from exc
    try:
        result = parse(data, ParseContext(name=str(path), year=year, reading=reading))
    except IngestError as exc:
        raise ParseFailed(str(exc)) from exc
    out = cast(dict[str, Any], to_json(result))
    if as_json:
        return [json.dumps(out, ensure_ascii=False, indent=2)]
    lines = [
        f"document {i}: {doc['title'] or '-'} ({doc['date'] or '-'})"
        for i, doc in enumerate(out["documents"])
    ]
    for task in out["tasks"]:
        deadline = task["deadline"]["raw"] or "-"
        units = "、".join(task["lead_units"]) or "-"
        mark = f" [duplicate of {task['duplicate_of']}]" if task["duplicate_of"] else ""
        lines.append(f"{task['seq']:>4}. {task['text'][:40]} | {units} | {deadline}{mark}")
        lines += [f"      ! {flag}" for flag in task["flags"]]
    lines += [f"warning: {warning}" for warning in out["warnings"]]
    lines.append(
        f"{len(out['tasks'])} tasks, {len(out['indicators'])} indicators, "
        f"{len(out['warnings'])} warnings"
    )
    return lines


def reading_from_environment() -> ReadContext:
    """The reader's limits from the environment, read as the settings read them."""
    return ReadContext(
        max_unpacked_bytes=_env_int(*UNPACKED_MB) * 1024 * 1024, max_pdf_pages=_env_int(*PAGES)
    )


def _env_int(name: str, default: int) -> int:
    """A whole number of at least 1 from the environment (settings.env_int's rule)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        number = int(raw)
    except ValueError:
        raise ParseFailed(f"{name} must be a whole number, not {raw!r}") from None
    if number < 1:
        raise ParseFailed(f"{name} must be at least 1, not {number}")
    return number


class _Delegate(argparse.Action):
    """An option Django's runner must handle: stop parsing and hand the line over."""

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        raise NeedsDjango


def _parser(prog: str) -> argparse.ArgumentParser:
    # The common options every Django command has, with Django's words, after the
    # command's own (where Django's help formatter puts them), so `--help` is the same.
    parser = argparse.ArgumentParser(prog=f"{prog} parse", description=HELP)
    add_arguments(parser)
    parser.add_argument(
        "--version", action=_Delegate, nargs=0, help="Show program's version number and exit."
    )
    parser.add_argument(
        "-v",
        "--verbosity",
        default=1,
        type=int,
        choices=[0, 1, 2, 3],
        help="Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, "
        "3=very verbose output",
    )
    parser.add_argument(
        "--settings",
        action=_Delegate,
        help='The Python path to a settings module, e.g. "myproject.settings.main". If this '
        "isn't provided, the DJANGO_SETTINGS_MODULE environment variable will be used.",
    )
    parser.add_argument(
        "--pythonpath",
        action=_Delegate,
        help='A directory to add to the Python path, e.g. "/home/djangoprojects/myproject".',
    )
    parser.add_argument(
        "--traceback",
        action="store_true",
        help="Display a full stack trace on CommandError exceptions.",
    )
    parser.add_argument(
        "--no-color", action="store_true", help="Don't colorize the command output."
    )
    parser.add_argument(
        "--force-color", action="store_true", help="Force colorization of the command output."
    )
    parser.add_argument("--skip-checks", action="store_true", help="Skip system checks.")
    return parser


def _styled_error(message: str, stream: TextIO, options: argparse.Namespace) -> str:
    """The line as Django writes a ``CommandError``: its ERROR style (bold red, line end
    included) when both streams are a terminal, unless colour is turned off."""
    line = f"CommandError: {message}\n"
    off = options.no_color and not options.force_color
    if off or "nocolor" in os.environ.get("DJANGO_COLORS", ""):
        return line
    return f"\x1b[31;1m{line}\x1b[0m" if sys.stdout.isatty() and stream.isatty() else line


def run(
    argv: Sequence[str],
    *,
    prog: str = "closeout",
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int | None:
    """Run `closeout parse` with ``argv`` (what follows "parse"); its exit code, or None
    when the line needs Django's runner (``--settings``, ``--pythonpath``, ``--version``)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        options = _parser(prog).parse_args(list(argv))
    except NeedsDjango:
        return None
    except SystemExit as exc:  # --help, or a bad command line (argparse said why)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        if options.no_color and options.force_color:
            raise ParseFailed("The --no-color and --force-color options can't be used together.")
        lines = parse_lines(
            options.file,
            as_json=options.json,
            year=options.year,
            reading=reading_from_environment(),
        )
    except ParseFailed as exc:
        if options.traceback:
            raise
        err.write(_styled_error(str(exc), err, options))
        return 1
    for line in lines:
        out.write(line if line.endswith("\n") else line + "\n")
    return 0
