"""What the reader hands to the rest of the pipeline: the decoded text and its tables.

The text is the document's own characters, verbatim for .txt and in reading order for the
other formats; every later span (fields, tasks, indicators) indexes this string, so a
reviewer can always be shown the exact source passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


class IngestError(Exception):
    """Base of every error the parser raises on bad input (never a bare crash)."""


class ReadError(IngestError):
    """The file cannot be read: undecodable, truncated, too large, or not what it claims.

    ``reason`` is the detail in English; ``code`` says which kind of failure it is (one of
    the constants below, None for any other), and ``limit`` the limit that was reached, so
    a caller can say it in the user's language.
    """

    def __init__(
        self, name: str, reason: str, *, code: str | None = None, limit: float | None = None
    ) -> None:
        self.name = name
        self.reason = reason
        self.code = code
        self.limit = limit
        super().__init__(f"{name}: {reason}")

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword arguments do not survive pickling by default (the isolated parse sends
        # its errors back pickled).
        return _read_error, (self.name, self.reason, self.code, self.limit)


def _read_error(name: str, reason: str, code: str | None, limit: float | None) -> ReadError:
    return ReadError(name, reason, code=code, limit=limit)


# ReadError.code: which limit was reached (``limit`` holds it), or that the file is damaged.
TOO_LARGE = "too_large"  # the file itself, in bytes
UNPACKED = "unpacked"  # what a .docx or the streams of a PDF decompress to, in bytes
RATIO = "ratio"  # one part of a .docx expands more than this many times
PAGES = "pages"  # pages of a PDF
SECONDS = "seconds"  # wall time of an isolated read, in seconds
MEMORY = "memory"  # memory of an isolated read, in bytes
DAMAGED = "damaged"  # a container or stream that is corrupt or truncated


UNNAMED = "<bytes>"


@dataclass(frozen=True, slots=True)
class ReadContext:
    """Limits for one read; explicit so that callers (commands, pages) choose them.

    The defaults are far above any real plan (seed 004, a 22-plan compilation, is 326 KB)
    and far below what would exhaust the machine.
    """

    name: str = UNNAMED
    max_bytes: int = 50 * 1024 * 1024
    # What a .docx unpacks to, and what the streams a PDF reader decodes add up to.
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_zip_ratio: float = 100.0
    max_zip_entries: int = 5000
    max_pdf_pages: int = 500


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell; ``span`` indexes ``SourceText.text``.

    A grid position covered by a merged cell (Word's vMerge/gridSpan, HTML's rowspan/
    colspan) carries the merged cell's text and span, and ``origin`` names the (row, col)
    where that cell starts; the text holds the merged cell's characters once.
    """

    row: int
    col: int
    text: str
    span: tuple[int, int]
    origin: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Table:
    cells: tuple[Cell, ...]
    span: tuple[int, int]

    @property
    def rows(self) -> tuple[tuple[Cell, ...], ...]:
        out: dict[int, list[Cell]] = {}
        for cell in self.cells:
            out.setdefault(cell.row, []).append(cell)
        return tuple(tuple(out[r]) for r in sorted(out))


@dataclass(frozen=True, slots=True)
class SourceText:
    """The decoded document. ``encoding`` is set for text formats, else None."""

    name: str
    format: str
    text: str
    encoding: str | None = None
    tables: tuple[Table, ...] = ()
    warnings: tuple[str, ...] = field(default=())


class TextBuilder:
    """Accumulates paragraphs and table cells into one string, recording spans.

    Paragraphs are separated by newlines; table rows are one line each with cells
    separated by tabs, so the text stays readable and the cells keep exact spans.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.tables: list[Table] = []

    def _append(self, piece: str) -> tuple[int, int]:
        start = self._length
        self._parts.append(piece)
        self._length += len(piece)
        return start, self._length

    def _newline(self) -> None:
        if self._length:
            self._append("\n")

    def paragraph(self, text: str) -> None:
        text = text.strip("\r\n")
        if not text.strip():
            return
        self._newline()
        self._append(text)

    def table(self, rows: Sequence[Sequence[str | tuple[int, int]]]) -> None:
        """One table from its grid rows. A position covered by a merged cell holds the
        (row, col) of the cell that covers it, an earlier position of ``rows``."""
        kept = [
            r for r, row in enumerate(rows) if any(isinstance(c, str) and c.strip() for c in row)
        ]
        if not kept:
            return
        renumber = {r: i for i, r in enumerate(kept)}
        self._newline()
        start = self._length
        cells: list[Cell] = []
        written: dict[tuple[int, int], Cell] = {}
        for i, r in enumerate(kept):
            if i:
                self._append("\n")
            for c, value in enumerate(rows[r]):
                if c:
                    self._append("\t")
                if isinstance(value, str):
                    # Tabs and newlines inside a cell would break the row/cell layout.
                    clean = " ".join(value.replace("\t", " ").split("\n")).strip()
                    cell = Cell(i, c, clean, self._append(clean))
                    written[(r, c)] = cell
                elif (first := written.get(value)) is not None:
                    origin = first.origin or (renumber[value[0]], value[1])
                    cell = Cell(i, c, first.text, first.span, origin=origin)
                    written[(r, c)] = cell
                else:  # covered by a blank cell, or a dangling reference: empty
                    at = self._length
                    cell = Cell(i, c, "", (at, at))
                cells.append(cell)
        self.tables.append(Table(tuple(cells), (start, self._length)))

    def text(self) -> str:
        return "".join(self._parts)
