"""Shared by the evidence-limit tests of the services, the API and the pages: small
limits, a spool folder to watch, and PDF uploads of a given size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from closeout.ledger.tests.factories import PDF


def small_limits(settings: Any, tmp_path: Path) -> Path:
    """At most 3 files of 1,000 bytes and 2,500 bytes in all; every upload spooled to
    disk (as large uploads are) in a folder of its own, which is returned."""
    settings.EVIDENCE_MAX_FILES = 3
    settings.EVIDENCE_MAX_BYTES = 1000
    settings.EVIDENCE_MAX_TOTAL_BYTES = 2500
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    folder = tmp_path / "spool"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def pdf_upload(name: str, size: int, head: bytes = PDF) -> SimpleUploadedFile:
    """A PDF upload of exactly `size` bytes, its content unique to its name."""
    start = head + name.encode()
    return SimpleUploadedFile(name, start + b"0" * (size - len(start)), "application/pdf")
