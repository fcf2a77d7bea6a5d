"""Hostile plan files built in memory: decompression bombs, page floods, damaged containers.

Each is small on disk and large (or slow) once read. Tests build them at the size they
need; the ingest, import and upload tests share them.
"""

from __future__ import annotations

import functools
import io
import zipfile
import zlib

CHUNK = 1024 * 1024


def deflated(size: int, fill: bytes = b"\0") -> bytes:
    """``size`` bytes of ``fill`` deflated, without ever holding them in memory.

    NUL bytes are also slow to read: pdfminer takes seconds per megabyte of them (a
    2 KB file, 2 MB of NULs, took 13 s). Spaces it skips quickly.
    """
    packer = zlib.compressobj(9)
    block = fill * CHUNK
    parts = []
    for start in range(0, size, CHUNK):
        parts.append(packer.compress(block[: min(CHUNK, size - start)]))
    parts.append(packer.flush())
    return b"".join(parts)


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF whose objects 1..n are ``objects`` (object 1 the catalog), with a true xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT = b"BT /F1 12 Tf 72 720 Td (Rectification plan) Tj ET"


def pdf_flate_bomb(unpacked: int, fill: bytes = b"\0") -> bytes:
    """One page whose content stream is ``unpacked`` zeros behind /FlateDecode."""
    return pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            stream(deflated(unpacked, fill), b"/Filter /FlateDecode "),
            FONT,
        ]
    )


@functools.cache
def pdf_bomb() -> bytes:
    """256 MB of zeros as one page's content stream: about 250 KB on disk."""
    return pdf_flate_bomb(256 * 1024 * 1024)


def pdf_pages(count: int) -> bytes:
    """``count`` pages that share one short text content stream."""
    first = 5  # objects 1-4: catalog, pages, content, font; pages from object 5
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(count))
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
    )
    return pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
            stream(TEXT),
            FONT,
            *([page] * count),
        ]
    )


def docx_parts() -> dict[str, bytes]:
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("某县整改方案")
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def docx_file(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


PARAGRAPH = "<w:p><w:r><w:t>整改措施{}:加强督察整改。</w:t></w:r></w:p>"


def docx_bomb(paragraphs: int) -> bytes:
    """A real .docx whose document.xml holds ``paragraphs`` numbered paragraphs.

    The numbers keep it from compressing absurdly well (about 20-fold, like a plain long
    document), so only a limit on the unpacked size, not the ratio check, can refuse it.
    """
    parts = docx_parts()
    xml = parts["word/document.xml"].decode("utf-8")
    head, _, tail = xml.partition("<w:body>")
    body = "".join(PARAGRAPH.format(i) for i in range(paragraphs))
    parts["word/document.xml"] = (head + "<w:body>" + body + tail).encode("utf-8")
    return docx_file(parts)


def docx_damaged() -> bytes:
    """A .docx whose document.xml entry is intact in the zip directory but whose deflated
    bytes are garbage, as a bad download or a flipped disk sector leaves it."""
    data = bytearray(docx_file(docx_parts()))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    # The local header is 30 bytes plus the name and extra field; the data follows.
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    return bytes(data)


def html_page(paragraphs: int) -> bytes:
    """A saved web page with ``paragraphs`` short paragraphs."""
    body = "".join(f"<p>{i}. 整改措施:加强督察整改。</p>" for i in range(paragraphs))
    return f"<!DOCTYPE html><html><body>{body}</body></html>".encode()
