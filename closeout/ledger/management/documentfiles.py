"""Where the document commands (`closeout report …`) write their file: the .docx, or
its PDF with --pdf, to -o or to the document's own name in the current folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from closeout.documents import pdf


def write_document(options: dict[str, Any], data: bytes, name: str) -> tuple[Path, int]:
    """Write the document (converted to PDF with --pdf); the path and size written. A
    missing LibreOffice, a failed conversion or an unwritable path is a CommandError."""
    if options["pdf"]:
        try:
            data = pdf.to_pdf(data, ".docx")
        except (pdf.PdfUnavailable, pdf.PdfFailed) as exc:
            raise CommandError(str(exc)) from None
        name = name.removesuffix(".docx") + ".pdf"
    out = Path(options["output"] or name)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"-o: cannot write {out}: {exc.strerror or exc}") from None
    return out, len(data)
