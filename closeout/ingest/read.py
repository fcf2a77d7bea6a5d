"""Reading (读取): bytes or a path in, ``SourceText`` out, for .txt/.docx/.pdf/.html, and
the old binary .doc/.wps through LibreOffice (``convert``) when it is installed.

Every failure is a ``ReadError`` naming the file. Sizes are bounded before any
library sees the bytes: zip containers (.docx) are checked entry by entry for their
unpacked size and compression ratio, PDFs for their page count (before any page is
built), and each stream a PDF reader decodes is charged to a budget first (pdfguard).
These limits hold in any process; the time and memory of a whole read are bounded by
running it in a child process (isolate), which untrusted uploads do.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import logging
import zipfile
import zlib
from pathlib import Path
from typing import Any

from closeout.ingest import convert
from closeout.ingest.encoding import decode
from closeout.ingest.html import read_html
from closeout.ingest.pdfguard import MB, pdf_budget
from closeout.ingest.source import (
    DAMAGED,
    PAGES,
    RATIO,
    TOO_LARGE,
    UNNAMED,
    UNPACKED,
    ReadContext,
    ReadError,
    SourceText,
    TextBuilder,
)

FORMATS = {".txt": "txt", ".text": "txt", ".docx": "docx", ".pdf": "pdf"}
FORMATS |= {".html": "html", ".htm": "html", ".shtml": "html", ".doc": "doc", ".wps": "doc"}
SUPPORTED = "use .txt, .docx, .doc, .wps, .pdf or .html"
# ReadError.code: a PDF whose pages are images without text (a scan).
SCANNED = "scanned"


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
                raise _too_large(name, context)
            data = path.read_bytes()
        except OSError as exc:
            raise ReadError(name, f"cannot open file ({exc.strerror or exc})") from exc
        format = format or FORMATS.get(path.suffix.lower())
    if len(data) > context.max_bytes:
        raise _too_large(name, context)
    suffix = Path(name).suffix.lower()
    if format is None and suffix and suffix not in FORMATS:
        raise ReadError(name, f"unsupported format {suffix!r} ({SUPPORTED})")
    format = _word_by_bytes(format or FORMATS.get(suffix) or sniff(data), data)
    readers = {"txt": read_txt, "docx": read_docx, "doc": read_doc, "pdf": read_pdf}
    reader = (readers | {"html": read_html}).get(format)
    if reader is None:
        raise ReadError(name, f"unsupported format {format!r} ({SUPPORTED})")
    return reader(data, name, context)


def _word_by_bytes(format: str, data: bytes) -> str:
    """A Word file is read as what its bytes are, whatever its name says: a .docx that is
    an old binary document is converted, a .doc that is a .docx (or the web page or PDF
    some sites serve under .doc) is read as one directly."""
    if format not in ("doc", "docx"):
        return format
    found = sniff(data)
    return found if found != "txt" else format


def _too_large(name: str, context: ReadContext) -> ReadError:
    limit = context.max_bytes
    return ReadError(name, f"file is larger than {limit} bytes", code=TOO_LARGE, limit=limit)


def sniff(data: bytes) -> str:
    head = data[:1024].lstrip().lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if convert.is_ole2(data):  # .doc/.wps, or a workbook (.xls/.et), which plans are not
        return "xls" if convert.ole2_kind(data) == "xlsx" else "doc"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    return "txt"


def read_txt(data: bytes, name: str, context: ReadContext) -> SourceText:
    text, encoding = decode(data, name)
    return SourceText(name=name, format="txt", text=text, encoding=encoding)


def read_doc(data: bytes, name: str, context: ReadContext) -> SourceText:
    """An old binary Word or WPS document (.doc, .wps): the .docx LibreOffice converts it
    to, read within the .docx limits; without LibreOffice, a ``ReadError`` saying how to
    install it (code ``convert.NO_CONVERTER``)."""
    source = read_docx(convert.to_docx(data, name), name, context)
    return dataclasses.replace(source, format="doc")


def _check_zip(data: bytes, name: str, context: ReadContext) -> zipfile.ZipFile:
    """Open a zip container only after bounding what it would unpack to (zip bombs)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        reason = f"not a valid .docx (zip container damaged or truncated: {exc})"
        raise ReadError(name, reason, code=DAMAGED) from exc
    if len(infos) > context.max_zip_entries:
        raise ReadError(name, f".docx has {len(infos)} parts, more than any real document")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > context.max_zip_ratio:
            raise ReadError(
                name,
                f"{info.filename} expands {ratio:.0f}-fold (zip bomb?)",
                code=RATIO,
                limit=context.max_zip_ratio,
            )
    if total > context.max_unpacked_bytes:
        limit = context.max_unpacked_bytes
        reason = f"the .docx expands to more than {limit / MB:g} MB ({total} bytes) when unpacked"
        raise ReadError(name, reason, code=UNPACKED, limit=limit)
    if "word/document.xml" not in archive.namelist():
        raise ReadError(name, "zip file without word/document.xml: not a .docx")
    # Every part is inflated once (its size is bounded above); the zip's own checksums
    # then tell a damaged file from a document python-docx cannot make sense of.
    try:
        bad = archive.testzip() if len(data) < 20 * MB else None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise ReadError(name, f".docx is damaged ({exc})", code=DAMAGED) from exc
    if bad is not None:
        raise ReadError(name, f".docx part {bad} is corrupt", code=DAMAGED)
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
    except (ReadError, MemoryError):
        raise
    except Exception as exc:  # python-docx/lxml raise many types on damaged parts
        reason = f"cannot read .docx ({type(exc).__name__}: {exc})"
        raise ReadError(name, reason, code=DAMAGED) from exc
    return SourceText(name=name, format="docx", text=builder.text(), tables=tuple(builder.tables))


def _docx_rows(table: Any) -> list[list[str | tuple[int, int]]]:
    """The table's layout grid, row by row: a cell's text at the grid column where it
    starts, and at every other position it covers (gridSpan across, vMerge="continue"
    down) the (row, col) of where it starts. Columns keep their grid positions, so a
    two-row header lines up with the rows below it."""
    from docx.table import _Cell

    rows: list[list[str | tuple[int, int]]] = []
    for r, tr in enumerate(table._tbl.tr_lst):
        row: list[str | tuple[int, int]] = [""] * tr.grid_before
        for tc in tr.tc_lst:
            width = max(1, tc.grid_span)
            for k in range(width):
                g = len(row)
                if tc.vMerge == "continue" and r > 0:
                    above = rows[r - 1][g] if g < len(rows[r - 1]) else ""
                    row.append((r - 1, g) if isinstance(above, str) else above)
                elif k:
                    row.append((r, g - k))
                else:
                    row.append(_Cell(tc, table).text)
        rows.append(row)
    return rows


def read_pdf(data: bytes, name: str, context: ReadContext) -> SourceText:
    """Text-layer PDFs: page text outside tables as paragraphs, tables as cells.

    The pages are counted before any is built, and every stream decoded on the way is
    charged to the unpacked-size budget (``pdfguard``).
    """
    if not data.startswith(b"%PDF"):
        raise ReadError(name, "not a PDF file (no %PDF header)")
    # pdfminer logs a warning per glyph for fonts it half understands; they are not ours.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    builder = TextBuilder()
    scanned: list[int] = []  # pages that are images without a character of text
    with pdf_budget(name, context.max_unpacked_bytes) as budget:
        try:
            import pdfplumber

            with pdfplumber.open(io.BytesIO(data)) as pdf:
                _check_pages(pdf, name, context)
                for number, page in enumerate(pdf.pages, 1):
                    _read_page(page, builder)
                    if page.images and not any(c["text"].strip() for c in page.chars):
                        scanned.append(number)
                    page.close()  # its characters and layout, else kept for every page
        except (ReadError, MemoryError):
            raise
        except Exception as exc:  # pdfminer raises many types on damaged files
            raise _pdf_error(exc, name, budget.error() if budget.exceeded else None) from exc
        if budget.exceeded:  # an error pdfminer caught and read past
            raise budget.error()
    text = builder.text()
    if not text.strip() and scanned:
        reason = (
            "the PDF is a scan: its pages are images with no text layer, so there is no text "
            "to read (OCR is not supported); use the plan's Word or text original, or run the "
            "PDF through OCR first (e.g. 'ocrmypdf -l chi_sim scan.pdf text.pdf')"
        )
        raise ReadError(name, reason, code=SCANNED)
    if not text.strip():
        raise ReadError(name, "PDF has no text layer: its pages hold no characters to read")
    warnings = (f"{_pages(scanned)} scanned images without text: not read",) if scanned else ()
    return SourceText(
        name=name, format="pdf", text=text, tables=tuple(builder.tables), warnings=warnings
    )


def _pages(numbers: list[int]) -> str:
    """'page 3 is', 'pages 3, 5-9 are' (runs of consecutive pages joined)."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    spans = ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
    return f"page {spans} is" if len(numbers) == 1 else f"pages {spans} are"


def _check_pages(pdf: Any, name: str, context: ReadContext) -> None:
    """Count the pages up to one past the limit, without building them."""
    from pdfminer.pdfpage import PDFPage

    limit = context.max_pdf_pages
    pages = PDFPage.create_pages(pdf.doc)
    if sum(1 for _ in itertools.islice(pages, limit + 1)) > limit:
        raise ReadError(name, f"the PDF has more than {limit} pages", code=PAGES, limit=limit)


def _pdf_error(exc: Exception, name: str, over_budget: ReadError | None) -> BaseException:
    # pdfplumber wraps what pdfminer raises (our own errors included) in its own type.
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    if over_budget is not None:
        return over_budget
    if isinstance(inner, ReadError | MemoryError):
        return inner
    if type(inner).__name__ == "PDFPasswordIncorrect":
        return ReadError(name, "the PDF is protected by a password")
    return ReadError(name, f"cannot read PDF ({type(inner).__name__}: {inner})", code=DAMAGED)


def _read_page(page: Any, builder: TextBuilder) -> None:
    """One page: its lines outside tables and the tables themselves, merged top to bottom."""
    found = page.find_tables()
    boxes = [t.bbox for t in found]

    def outside(obj: dict[str, float], boxes: list = boxes) -> bool:
        mid_x = (obj["x0"] + obj["x1"]) / 2
        mid_y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= mid_x <= b[2] and b[1] <= mid_y <= b[3] for b in boxes)

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
