"""For tests: a produced .xlsx or .docx opens in LibreOffice without a repair, and its
PDF holds the expected text.

LibreOffice and pdftotext are required on CI (`./dev test` installs them there); on a
machine without them these checks are skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from closeout.documents import pdf


def _require() -> None:
    if pdf.available() and shutil.which("pdftotext"):
        return
    if os.environ.get("CI"):
        pytest.fail("LibreOffice and pdftotext are required on CI")
    pytest.skip("LibreOffice or pdftotext is not installed")


def pdf_text(data: bytes, suffix: str) -> str:
    """The text of the document's PDF as LibreOffice renders it, whitespace folded."""
    _require()
    rendered = pdf.to_pdf(data, suffix)
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=rendered,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return re.sub(r"\s+", " ", done.stdout.decode("utf-8"))


def assert_renders(data: bytes, suffix: str, *expected: str) -> str:
    """Convert the document and check that every expected text is in its PDF (compared
    with whitespace removed, as a PDF breaks lines where it likes)."""
    text = pdf_text(data, suffix)
    flat = re.sub(r"\s+", "", text)
    missing = [e for e in expected if re.sub(r"\s+", "", e) not in flat]
    assert not missing, f"not in the PDF: {missing!r}; PDF text begins {text[:400]!r}"
    return text
