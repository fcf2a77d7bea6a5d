"""`closeout parse` both ways: the command line runs it without Django
(closeout.ingest.cli), `call_command` and `closeout help parse` through the management
command; both print the same lines, the same errors and the same help."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

import closeout.settings
from closeout.__main__ import main
from closeout.ingest import cli
from closeout.ledger.services.imports import read_limits

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "closeout" / "samples" / "plans"


def _fast(*argv: str) -> subprocess.CompletedProcess[str]:
    """`closeout parse …` in a process of its own, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "closeout", "parse", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def _command(*argv: str) -> str:
    out = StringIO()
    call_command("parse", *argv, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["004_compilation.txt"],
        ["003_jinan_2018.txt", "--json"],
        ["001_huzhou_2023.txt", "--year", "2020"],
    ],
)
def test_both_ways_print_the_same(argv: list[str]) -> None:
    argv = [str(SEEDS / argv[0]), *argv[1:]]
    done = _fast(*argv)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == _command(*argv)


def test_both_ways_refuse_a_bad_file_with_the_same_words(tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"\x00\x01garbage")
    for path in (bad, tmp_path / "missing.txt"):
        with pytest.raises(CommandError) as caught:
            _command(str(path))
        done = _fast(str(path))
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr == f"CommandError: {caught.value}\n"


@pytest.mark.parametrize("argv", [["--help"], ["--year", "x", "plan.txt"], []])
def test_both_ways_answer_the_command_line_alike(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps to the terminal's width
    with pytest.raises(SystemExit) as django:
        ManagementUtility(["closeout", "parse", *argv]).execute()
    through_django = capsys.readouterr()
    assert cli.run(argv) == django.value.code
    assert capsys.readouterr() == through_django


def test_a_settings_module_on_the_line_goes_through_django(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed = str(SEEDS / "002_guangzhou_2021.txt")
    main(["parse", "--settings", "closeout.settings", "--skip-checks", seed])
    assert capsys.readouterr().out == _command(seed)


def test_closeout_help_still_lists_parse(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--help"])
    assert "    parse\n" in capsys.readouterr().out


def test_the_limits_are_read_as_the_settings_read_them(monkeypatch: pytest.MonkeyPatch) -> None:
    source = inspect.getsource(closeout.settings)
    for name, default in (cli.UNPACKED_MB, cli.PAGES):
        assert f'env_int("{name}", {default})' in source
    for name, _default in (cli.UNPACKED_MB, cli.PAGES):
        monkeypatch.delenv(name, raising=False)
    assert cli.reading_from_environment() == read_limits()
    for raw in ("", " 7 ", "x", "0", "-3", "1.5"):
        monkeypatch.setenv("CLOSEOUT_PLAN_MAX_PAGES", raw)
        try:
            expected: int | str = closeout.settings.env_int("CLOSEOUT_PLAN_MAX_PAGES", 500)
        except ImproperlyConfigured as exc:
            expected = str(exc)
        try:
            got: int | str = cli.reading_from_environment().max_pdf_pages
        except cli.ParseFailed as exc:
            got = str(exc)
        assert got == expected, raw
