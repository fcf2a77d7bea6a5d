"""`closeout parse` without Django: its process imports neither Django nor a reader it
does not need, and it answers with the management command's words and exit codes (the
comparison with the management command itself is in closeout/ledger/tests)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from closeout.ingest import ReadContext, cli
from closeout.ingest.tests.conftest import seed_path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("django", "docx", "lxml", "pdfplumber", "pdfminer", "openpyxl", "PIL")
PROBE = """
import contextlib, io, json, sys
from closeout.__main__ import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    main(sys.argv[1:])
top = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"modules": top, "out": out.getvalue()}))
"""


def _python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ | (env or {}),
        timeout=120,
        check=False,
    )


def _lines(path: Path, **options: object) -> str:
    lines = cli.parse_lines(str(path), reading=ReadContext(), **options)  # type: ignore[arg-type]
    return "".join(line + "\n" for line in lines)


def test_closeout_parse_imports_no_django_and_prints_what_the_parser_found() -> None:
    seed = seed_path("004")
    done = _python("-c", PROBE, "parse", str(seed))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert not set(HEAVY) & set(report["modules"])
    assert report["out"] == _lines(seed)
    assert report["out"].endswith(" warnings\n") and "document 0:" in report["out"]


def test_importing_the_parser_loads_no_reader_it_does_not_need() -> None:
    # pdfplumber, python-docx, lxml and openpyxl load when their format is read.
    done = _python("-c", "import sys, closeout.ingest; print(' '.join(sys.modules))")
    assert done.returncode == 0, done.stderr
    loaded = {m.split(".")[0] for m in done.stdout.split()}
    assert not set(HEAVY) & loaded, sorted(set(HEAVY) & loaded)


def test_closeout_parse_json_prints_the_contract() -> None:
    seed = seed_path("001")
    done = _python("-m", "closeout", "parse", "--json", "--year", "2023", str(seed))
    assert done.returncode == 0, done.stderr
    assert done.stdout == _lines(seed, as_json=True, year=2023)
    assert json.loads(done.stdout)["tasks"]


def _run(*argv: str) -> tuple[int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_a_file_that_cannot_be_read_is_one_line_on_stderr_and_exit_1(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    assert _run(str(missing)) == (
        1,
        "",
        f"CommandError: {missing}: cannot open file (No such file or directory)\n",
    )
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"\x00\x01garbage")
    code, out, err = _run(str(bad))
    assert (code, out) == (1, "") and err.startswith(f"CommandError: {bad}: not a valid .docx")


def test_a_bad_command_line_is_argparse_s_message_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run("--year", "x", "plan.txt")[0] == 2
    assert (
        "closeout parse: error: argument --year: invalid int value: 'x'" in capsys.readouterr().err
    )
    assert _run()[0] == 2
    assert "the following arguments are required: file" in capsys.readouterr().err
    assert _run("--no-color", "--force-color", "plan.txt")[0] == 1


def test_help_lists_the_command_s_options_and_django_s(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("--help")[0] == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: closeout parse [-h] [--json] [--year YEAR] [--version]")
    assert "--json " in text and "--skip-checks" in text and ".doc, .wps" in text


@pytest.mark.parametrize(
    "argv",
    [["--settings", "other.settings", "f.txt"], ["--pythonpath=/tmp", "f.txt"], ["--version"]],
)
def test_what_only_django_can_do_is_handed_to_django(argv: list[str]) -> None:
    assert _run(*argv) == (None, "", "")


def test_traceback_shows_the_error_raised(tmp_path: Path) -> None:
    with pytest.raises(cli.ParseFailed, match="cannot open file"):
        cli.run(["--traceback", str(tmp_path / "missing.txt")])


@pytest.mark.parametrize(
    "env, context_or_error",
    [
        ({}, ReadContext(max_unpacked_bytes=100 * 1024 * 1024, max_pdf_pages=500)),
        ({"CLOSEOUT_PLAN_MAX_PAGES": " 7 ", "CLOSEOUT_PLAN_MAX_UNPACKED_MB": "3"},
         ReadContext(max_unpacked_bytes=3 * 1024 * 1024, max_pdf_pages=7)),
        ({"CLOSEOUT_PLAN_MAX_PAGES": ""}, ReadContext()),
        ({"CLOSEOUT_PLAN_MAX_PAGES": "x"}, "CLOSEOUT_PLAN_MAX_PAGES must be a whole number, not 'x'"),  # noqa: E501
        ({"CLOSEOUT_PLAN_MAX_UNPACKED_MB": "0"},
         "CLOSEOUT_PLAN_MAX_UNPACKED_MB must be at least 1, not 0"),
    ],
)  # fmt: skip
def test_the_limits_come_from_the_environment_as_the_settings_read_them(
    env: dict[str, str], context_or_error: ReadContext | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CLOSEOUT_PLAN_MAX_PAGES", "CLOSEOUT_PLAN_MAX_UNPACKED_MB"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if isinstance(context_or_error, str):
        with pytest.raises(cli.ParseFailed) as caught:
            cli.reading_from_environment()
        assert str(caught.value) == context_or_error
    else:
        assert cli.reading_from_environment() == context_or_error


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    "terminal, flags, colours, styled",
    [
        (True, [], "", True),
        (True, [], "light", True),
        (True, [], "nocolor", False),
        (True, ["--no-color"], "", False),
        (False, [], "", False),
        (False, ["--force-color"], "", False),  # Django styles stderr only on a terminal
    ],
)
def test_an_error_is_styled_as_django_styles_it(
    terminal: bool,
    flags: list[str],
    colours: str,
    styled: bool,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DJANGO_COLORS", colours)
    stream = _Terminal if terminal else io.StringIO
    monkeypatch.setattr(sys, "stdout", stream())
    err = stream()
    missing = tmp_path / "missing.txt"
    assert cli.run([*flags, str(missing)], stderr=err) == 1
    line = f"CommandError: {missing}: cannot open file (No such file or directory)\n"
    assert err.getvalue() == (f"\x1b[31;1m{line}\x1b[0m" if styled else line)
