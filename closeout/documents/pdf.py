"""PDF of any produced document through LibreOffice (`soffice --headless
--convert-to pdf`), when it is installed.

LibreOffice is a large desktop suite, so it is optional: `available()` says whether it
is there, and `to_pdf` raises `PdfUnavailable` with a message that says how to install
it. Each conversion runs with a profile folder of its own, so two conversions at the
same time (two requests, two test runs) do not fight over one profile, and in a folder
of its own, so two files of the same name do not overwrite each other's PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 120
INSTALL_HINT = (
    "PDF needs LibreOffice: install it with "
    "'apt-get install libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk' "
    "(or set CLOSEOUT_SOFFICE to its soffice program)"
)


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed (or not where CLOSEOUT_SOFFICE says)."""


class PdfFailed(RuntimeError):
    """LibreOffice ran but did not produce a PDF."""


def soffice() -> str | None:
    """The LibreOffice program to run, or None when there is none."""
    configured = os.environ.get("CLOSEOUT_SOFFICE")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def to_pdf(data: bytes, suffix: str) -> bytes:
    """The PDF of a document given as bytes (`suffix` is ".docx" or ".xlsx")."""
    program = soffice()
    if program is None:
        raise PdfUnavailable(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="closeout-pdf-") as work:
        folder = Path(work)
        source = folder / f"document{suffix}"
        source.write_bytes(data)
        profile = (folder / "profile").as_uri()
        command = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
                env={**os.environ, "HOME": work},
            )
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"LibreOffice took more than {TIMEOUT_SECONDS} s") from None
        pdf = folder / "out" / "document.pdf"
        if done.returncode != 0 or not pdf.exists():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            raise PdfFailed(f"LibreOffice could not convert the document: {detail[-300:]}")
        return pdf.read_bytes()
