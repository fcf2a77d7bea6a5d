"""Old binary office files (旧版 Word/WPS/Excel 文件) to their XML successors, through
LibreOffice headless.

Offices still keep plans as Word 97-2003 .doc or WPS .wps files, and ledgers as .xls or
WPS .et workbooks: OLE2 compound files (they begin D0 CF 11 E0 A1 B1 1A E1) that no pure
Python library reads well. LibreOffice does, when it is installed: ``to_docx`` and
``to_xlsx`` hand the bytes to `soffice --headless --convert-to docx|xlsx` and return the
new file's bytes, for the .docx and .xlsx readers to read within their own limits.

The program is the one the documents' PDF export runs (CLOSEOUT_SOFFICE, else soffice or
libreoffice on PATH: ``closeout.documents.pdf.soffice``). Each conversion runs in a
folder of its own with a fresh LibreOffice profile, so conversions at the same time do not
share a profile (a second LibreOffice would hand its work to the first and return), and
in a process group of its own, so a conversion that outlives its timeout is killed with
every process it started. Without LibreOffice, or when it fails, the caller gets a
``ReadError`` that says what the file is and what to do.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from pathlib import Path

from closeout.documents.pdf import soffice
from closeout.ingest.source import DAMAGED, SECONDS, ReadError

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Below the isolated parse's default wall time (60 s), so that an upload's conversion
# ends (and kills LibreOffice) before its reader process is killed.
TIMEOUT_SECONDS = 45.0
# ReadError.code: the file needs LibreOffice, which is not installed.
NO_CONVERTER = "no_converter"

# What each suffix is, said to the user, and the target it converts to.
KINDS = {
    ".doc": ("an old binary Word document (.doc)", "docx"),
    ".wps": ("a WPS document (.wps)", "docx"),
    ".xls": ("an old binary Excel workbook (.xls)", "xlsx"),
    ".et": ("a WPS spreadsheet (.et)", "xlsx"),
}
_DEFAULT_SUFFIX = {"docx": ".doc", "xlsx": ".xls"}
_PACKAGES = {"docx": "libreoffice-writer-nogui", "xlsx": "libreoffice-calc-nogui"}
_SAVE_AS = {
    "docx": "open it in Word or WPS and save it as .docx",
    "xlsx": "open it in Excel or WPS and save it as .xlsx",
}
# Stream names in an OLE2 file's directory (UTF-16LE, NUL-terminated) that say whose
# file it is: Word and WPS Writer write "WordDocument", Excel and WPS Spreadsheets
# "Workbook" (BIFF8) or "Book" (BIFF5).
_WORD_STREAMS = ("WordDocument",)
_SHEET_STREAMS = ("Workbook", "Book")


def is_ole2(data: bytes) -> bool:
    return data.startswith(OLE2)


def ole2_kind(data: bytes) -> str | None:
    """ "docx" for a Word/WPS document, "xlsx" for an Excel/WPS workbook (what each
    converts to), None when the bytes are no OLE2 file or neither kind."""
    if not is_ole2(data):
        return None
    for kind, names in (("docx", _WORD_STREAMS), ("xlsx", _SHEET_STREAMS)):
        if any((n + "\0").encode("utf-16-le") in data for n in names):
            return kind
    return None


def to_docx(data: bytes, name: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The .docx of a .doc or .wps document given as bytes (``name`` is its file name)."""
    return convert(data, name, "docx", timeout=timeout)


def to_xlsx(data: bytes, name: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The .xlsx of an .xls or .et workbook given as bytes (``name`` is its file name)."""
    return convert(data, name, "xlsx", timeout=timeout)


def describe(name: str, target: str) -> str:
    """What the file is, in words: by its suffix, else by what it converts to."""
    suffix = Path(name).suffix.lower()
    if suffix in KINDS and KINDS[suffix][1] == target:
        return KINDS[suffix][0]
    return KINDS[_DEFAULT_SUFFIX[target]][0].split(" (")[0]


def convert(data: bytes, name: str, target: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """``data`` converted by LibreOffice to ``target`` ("docx" or "xlsx")."""
    what = describe(name, target)
    program = soffice()
    if program is None:
        raise unavailable(name, target)
    suffix = Path(name).suffix.lower()
    if KINDS.get(suffix, ("", ""))[1] != target:
        suffix = _DEFAULT_SUFFIX[target]
    with tempfile.TemporaryDirectory(prefix="closeout-convert-") as work:
        folder = Path(work)
        source = folder / f"document{suffix}"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        code, output = _run(command, timeout, env={**os.environ, "HOME": work}, name=name)
        result = folder / "out" / f"document.{target}"
        if code != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = output.strip().splitlines()[-1:] or [f"exit {code}, no output"]
            raise ReadError(
                name,
                f"{what} that LibreOffice could not convert to .{target} (damaged, protected "
                f"by a password, or not what its name says): {detail[0][-300:]}",
                code=DAMAGED,
            )
        return result.read_bytes()


def unavailable(name: str, target: str) -> ReadError:
    """The error for a file that needs LibreOffice where there is none."""
    what = describe(name, target)
    configured = os.environ.get("CLOSEOUT_SOFFICE")
    missing = (
        f"CLOSEOUT_SOFFICE names {configured}, which does not exist"
        if configured
        else "LibreOffice is not installed"
    )
    return ReadError(
        name,
        f"this is {what}, which is read through LibreOffice, and {missing}: install it with "
        f"'apt-get install {_PACKAGES[target]}' (or set CLOSEOUT_SOFFICE to its soffice "
        f"program), or {_SAVE_AS[target]}",
        code=NO_CONVERTER,
    )


def _run(command: list[str], timeout: float, *, env: dict[str, str], name: str) -> tuple[int, str]:
    """Run LibreOffice in a session of its own; past ``timeout``, kill the whole group
    (the soffice script starts soffice.bin, which would outlive a kill of the script)."""
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        raise ReadError(
            name, f"cannot run LibreOffice ({command[0]}: {exc.strerror or exc})"
        ) from exc
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise ReadError(
            name,
            f"LibreOffice took longer than {timeout:g} s to convert the file",
            code=SECONDS,
            limit=timeout,
        ) from None
    finally:
        _kill_group(process)  # whatever it left running (or all of it, when interrupted)
        process.wait()
    return process.returncode, out.decode("utf-8", "replace")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
