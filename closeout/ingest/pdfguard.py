"""A budget on what the streams of one PDF decompress to (PDF 解压上限).

pdfminer inflates each stream it needs in one call, whatever it grows to: a 1 MB file
whose page is a deflated gigabyte of zeros took the gigabyte, and minutes to tokenise.
So before pdfminer decodes a stream, we measure what the stream would decode to
(inflating in bounded steps and keeping only what a following filter needs) and charge
that to the document's budget; past the budget the read stops with a ``ReadError`` of
code ``UNPACKED``.

Only streams that are actually decoded are charged: page contents, forms, fonts, object
and cross-reference streams, CMaps. Images are not, because text extraction leaves them
packed. pdfminer constructs its stream objects itself, so the check wraps
``PDFStream.decode`` once per process; outside ``pdf_budget()`` the wrapper only calls
through.
"""

from __future__ import annotations

import contextlib
import io
import threading
import zlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from closeout.ingest.source import UNPACKED, ReadError

MB = 1024 * 1024
STEP = 4 * MB  # the most one bounded inflate step produces


@dataclass
class Budget:
    name: str
    limit: int
    used: int = 0
    exceeded: bool = False

    def error(self) -> ReadError:
        return ReadError(
            self.name,
            f"the PDF expands to more than {self.limit / MB:g} MB when its streams are unpacked",
            code=UNPACKED,
            limit=self.limit,
        )

    def charge(self, stream: Any) -> None:
        if self.exceeded:  # pdfminer may swallow the first error and read on
            raise self.error()
        self.used += decoded_size(stream, self.limit - self.used)
        if self.used > self.limit:
            self.exceeded = True
            raise self.error()


_current: ContextVar[Budget | None] = ContextVar("closeout_pdf_budget", default=None)
_install_lock = threading.Lock()


@contextlib.contextmanager
def pdf_budget(name: str, limit: int) -> Iterator[Budget]:
    """Charge every stream pdfminer decodes inside the block to one budget of ``limit``."""
    _install()
    budget = Budget(name, limit)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def _install() -> None:
    from pdfminer.pdftypes import PDFStream

    with _install_lock:
        if getattr(PDFStream.decode, "closeout_budgeted", False):
            return
        original: Callable[[Any], None] = PDFStream.decode

        def decode(self: Any) -> None:
            budget = _current.get()
            if budget is not None and self.rawdata is not None:
                budget.charge(self)
            original(self)

        decode.closeout_budgeted = True  # type: ignore[attr-defined]
        PDFStream.decode = decode  # type: ignore[method-assign]


def decoded_size(stream: Any, cap: int) -> int:
    """What ``stream`` decodes to, exactly up to ``cap``, else some number above it.

    Filters that never expand (ASCII hex and base-85, predictors) are applied or skipped;
    image codecs pdfminer passes through (DCT, JPX, JBIG2) end the chain, as they end
    pdfminer's; CCITT fax, encryption filters and unknown filters are left to pdfminer.
    """
    from pdfminer import pdftypes

    data: bytes = stream.rawdata
    if stream.decipher:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    filters = stream.get_filters()
    for index, (name, _params) in enumerate(filters):
        last = index == len(filters) - 1
        if name in pdftypes.LITERALS_FLATE_DECODE:
            size, data = _inflate(data, cap, keep=not last)
        elif name in pdftypes.LITERALS_LZW_DECODE:
            size, data = _unlzw(data, cap, keep=not last)
        elif name in pdftypes.LITERALS_RUNLENGTH_DECODE:
            size = _unrun_size(data)
            data = pdftypes.rldecode(data) if size <= cap and not last else b""
        elif name in pdftypes.LITERALS_ASCII85_DECODE:
            data = pdftypes.ascii85decode(data)
            size = len(data)
        elif name in pdftypes.LITERALS_ASCIIHEX_DECODE:
            data = pdftypes.asciihexdecode(data)
            size = len(data)
        else:
            return len(data)
        if size > cap or last:
            return size
    return len(data)


def _inflate(data: bytes, cap: int, *, keep: bool) -> tuple[int, bytes]:
    inflater = zlib.decompressobj()
    parts: list[bytes] = []
    size = 0
    pending = data
    while size <= cap and not inflater.eof:
        try:
            chunk = inflater.decompress(pending, min(STEP, cap + 1 - size))
        except zlib.error:
            break  # pdfminer keeps what precedes the damage; so do we
        pending = inflater.unconsumed_tail
        if not chunk and not pending:
            break
        size += len(chunk)
        if keep:
            parts.append(chunk)
    return size, b"".join(parts)


def _unlzw(data: bytes, cap: int, *, keep: bool) -> tuple[int, bytes]:
    from pdfminer.lzw import LZWDecoder

    parts: list[bytes] = []
    size = 0
    for chunk in LZWDecoder(io.BytesIO(data)).run():
        size += len(chunk)
        if size > cap:
            break
        if keep:
            parts.append(chunk)
    return size, b"".join(parts)


def _unrun_size(data: bytes) -> int:
    """The decoded length of RunLength data: a length byte below 128 copies that many
    plus one literal bytes, above 128 repeats the next byte 257 minus it times."""
    size = at = 0
    while at < len(data) and data[at] != 128:
        length = data[at]
        if length < 128:
            size += length + 1
            at += length + 2
        else:
            size += 257 - length
            at += 2
    return size
