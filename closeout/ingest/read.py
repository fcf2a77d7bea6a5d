"""Reading (读取): bytes or a path in, ``SourceText`` out, for .txt/.docx/.pdf/.html.

Every failure is a ``ReadError`` naming the file. Sizes are bounded before any
library sees the bytes: zip containers (.docx) are checked entry by entry for their
unpacked size and compression ratio, PDFs for their page count.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

from closeout.ingest.encoding import decode
from closeout.ingest.html import read_html
from closeout.ingest.source import UNNAMED, ReadContext, ReadError, SourceText, TextBuilder

FORMATS = {".txt": "txt", ".text": "txt", ".docx": "docx", ".pdf": "pdf"}
FORMATS |= {".html": "html", ".htm": "html", ".shtml": "html"}


def read(
    source: bytes | str | Path, context: ReadContext | None = None, *, format: str | None = None
) -> SourceText:
    """Read a plan document.

    ``source`` is a path or the file's bytes. The format comes from ``format``, else the
    file name's extension, else the bytes' signature.
    """
    context = context or ReadContext()
    if isinstance(source, bytes):
        data, name = source, context.name
    else:
        path = Path(source)
        name = str(path) if context.name == UNNAMED else context.name
        try:
            if path.stat().st_size > context.max_bytes:
                raise ReadError(name, f"file is larger than {context.max_bytes} bytes")
            data = path.read_bytes()
        except OSError as exc:
            raise ReadError(name, f"cannot open file ({exc.strerror or exc})") from exc
        format = format or FORMATS.get(path.suffix.lower())
    if len(data) > context.max_bytes:
        raise ReadError(name, f"file is larger than {context.max_bytes} bytes")
    suffix = Path(name).suffix.lower()
    if format is None and suffix and suffix not in FORMATS:
        raise ReadError(name, f"unsupported format {suffix!r} (use .txt, .docx, .pdf or .html)")
    format = format or FORMATS.get(suffix) or sniff(data)
    reader = {"txt": read_txt, "docx": read_docx, "pdf": read_pdf, "html": read_html}.get(format)
    if reader is None:
        raise ReadError(name, f"unsupported format {format!r} (use .txt, .docx, .pdf or .html)")
    return reader(data, name, context)


def sniff(data: bytes) -> str:
    head = data[:1024].lstrip().lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    return "txt"


def read_txt(data: bytes, name: str, context: ReadContext) -> SourceText:
    text, encoding = decode(data, name)
    return SourceText(name=name, format="txt", text=text, encoding=encoding)


def _check_zip(data: bytes, name: str, context: ReadContext) -> zipfile.ZipFile:
    """Open a zip container only after bounding what it would unpack to (zip bombs)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        reason = f"not a valid .docx (zip container damaged or truncated: {exc})"
        raise ReadError(name, reason) from exc
    if len(infos) > context.max_zip_entries:
        raise ReadError(name, f".docx has {len(infos)} parts, more than any real document")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > context.max_zip_ratio:
            raise ReadError(name, f"{info.filename} expands {ratio:.0f}-fold (zip bomb?)")
    if total > context.max_unpacked_bytes:
        raise ReadError(name, f".docx would unpack to {total} bytes, over the limit")
    if "word/document.xml" not in archive.namelist():
        raise ReadError(name, "zip file without word/document.xml: not a .docx")
    bad = archive.testzip() if len(data) < 20 * 1024 * 1024 else None
    if bad is not None:
        raise ReadError(name, f".docx part {bad} is corrupt")
    return archive


def read_docx(data: bytes, name: str, context: ReadContext) -> SourceText:
    """Paragraphs and tables in document order (python-docx keeps them apart otherwise)."""
    _check_zip(data, name, context)
    try:
        import docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        builder = TextBuilder()
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                builder.paragraph(block.text)
            elif isinstance(block, DocxTable):
                builder.table(_docx_rows(block))
    except ReadError:
        raise
    except Exception as exc:  # python-docx/lxml raise many types on damaged parts
        raise ReadError(name, f"cannot read .docx ({type(exc).__name__}: {exc})") from exc
    return SourceText(name=name, format="docx", text=builder.text(), tables=tuple(builder.tables))


def _docx_rows(table: object) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:  # type: ignore[attr-defined]
        values: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it covers; keep it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            values.append(cell.text)
        rows.append(values)
    return rows


def read_pdf(data: bytes, name: str, context: ReadContext) -> SourceText:
    """Text-layer PDFs: page text outside tables as paragraphs, tables as cells."""
    if not data.startswith(b"%PDF"):
        raise ReadError(name, "not a PDF file (no %PDF header)")
    # pdfminer logs a warning per glyph for fonts it half understands; they are not ours.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        import pdfplumber

        builder = TextBuilder()
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > context.max_pdf_pages:
                raise ReadError(name, f"PDF has {len(pdf.pages)} pages, over the limit")
            for page in pdf.pages:
                found = page.find_tables()
                boxes = [t.bbox for t in found]

                def outside(obj: dict[str, float], boxes: list = boxes) -> bool:
                    mid_x = (obj["x0"] + obj["x1"]) / 2
                    mid_y = (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= mid_x <= b[2] and b[1] <= mid_y <= b[3] for b in boxes)

                # Lines outside tables and the tables themselves, merged top to bottom.
                region = page.filter(outside) if boxes else page
                blocks: list[tuple[float, object]] = [
                    (line["top"], line["text"]) for line in region.extract_text_lines()
                ]
                blocks += [(table.bbox[1], table) for table in found]
                for _top, block in sorted(blocks, key=lambda b: b[0]):
                    if isinstance(block, str):
                        builder.paragraph(block)
                    else:
                        rows = [[cell or "" for cell in row] for row in block.extract()]  # type: ignore[attr-defined]
                        builder.table(rows)
    except ReadError:
        raise
    except Exception as exc:  # pdfminer raises many types on damaged files
        raise ReadError(name, f"cannot read PDF ({type(exc).__name__}: {exc})") from exc
    text = builder.text()
    warnings: tuple[str, ...] = ()
    if not text.strip():
        raise ReadError(name, "PDF has no text layer (scanned image?); OCR is not supported")
    return SourceText(
        name=name, format="pdf", text=text, tables=tuple(builder.tables), warnings=warnings
    )
