"""PDF through LibreOffice: a real conversion, and the clear messages when it cannot."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from docx import Document

from closeout.documents import pdf
from closeout.documents.tests.pdfcheck import assert_renders


def _docx(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_document_becomes_a_pdf_with_its_chinese_text() -> None:
    assert_renders(_docx("关于整改进展情况的通报"), ".docx", "关于整改进展情况的通报")


def test_two_documents_of_the_same_name_at_once_do_not_mix(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    if not pdf.available():
        pytest.skip("LibreOffice is not installed")
    texts = ["第一份督办函", "第二份督办函"]
    with ThreadPoolExecutor(2) as pool:
        rendered = list(pool.map(lambda t: pdf.to_pdf(_docx(t), ".docx"), texts))
    assert all(r.startswith(b"%PDF") for r in rendered)
    assert rendered[0] != rendered[1]


def test_without_libreoffice_the_message_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLOSEOUT_SOFFICE", str(tmp_path / "no-such-soffice"))
    assert not pdf.available()
    with pytest.raises(pdf.PdfUnavailable, match="apt-get install libreoffice"):
        pdf.to_pdf(_docx("x"), ".docx")


def test_a_converter_that_fails_is_reported_with_its_output(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "soffice"
    broken.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    broken.chmod(broken.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("CLOSEOUT_SOFFICE", str(broken))
    with pytest.raises(pdf.PdfFailed, match="could not be loaded"):
        pdf.to_pdf(_docx("x"), ".docx")
