"""The ledger's worksheet (台账): XlsxWriter in constant_memory mode, a row at a time.

`LedgerWorksheet` is XlsxWriter's worksheet with one more way in, `write_plain_row`: a
whole row of plain cells (text, integers, formatted blanks) as the XML XlsxWriter would
write for them, in one call. Cell by cell through the public methods a ledger costs
about 9 µs a cell (argument checks, a cell tuple, then the XML): 100,000 tasks of ten
columns took ten seconds, the export's whole budget; a row at a time they take three.
Memory stays a few MB whatever the size: each row goes to XlsxWriter's temporary file
as it is written. The tests compare `write_plain_row`'s XML with XlsxWriter's own, byte
for byte, for ordinary and awkward text.

Writers measured for that budget (100,000 tasks, on these machines): XlsxWriter
cell by cell 10 s in 25 MB; rvgsrust-xlsxwriter (rust_xlsxwriter) 4 s of writing but
330 MB, because it holds the sheet in memory to merge cells (its streaming mode cannot
merge over rows already written, nor can rustpy-xlsxwriter's); pyexcelerate has no
print set-up and merges in quadratic time; openpyxl's write_only mode is slower still.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import xlsxwriter
import xlsxwriter.utility
import xlsxwriter.workbook
import xlsxwriter.worksheet
from xlsxwriter.utility import _preserve_whitespace as preserve_whitespace

from closeout.documents.columns import Column

A3 = 8  # Excel's paper size number for A3
FAST_DEFLATE = 1  # zlib level of XlsxWriter's parts
STRING_MAX = 32767  # Excel's limit on a cell's text
Cell = str | int | None

# The workbook's formats.
_BASE = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "top"}
FORMATS: dict[str, dict[str, Any]] = {
    "title": {"font_name": "黑体", "font_size": 16, "bold": True, "align": "center",
              "valign": "vcenter"},
    "header": {**_BASE, "bold": True, "align": "center", "valign": "vcenter",
               "text_wrap": True, "bg_color": "#D9E1F2"},
    "cell": {**_BASE, "text_wrap": True},
    "number": {**_BASE, "align": "center"},
    "merged": {**_BASE, "text_wrap": True, "valign": "vcenter"},
}  # fmt: skip
TITLE_HEIGHT = 30
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6}
FOOTER = "&C第 &P 页，共 &N 页"


class QuickZipFile(zipfile.ZipFile):
    """The zip container XlsxWriter packs the workbook into, deflating at level 1.

    XlsxWriter opens its ZipFile with zlib's default level (6) and has no option for
    another. On a ledger's sheet (mostly Chinese text) level 6 takes seven times as
    long as level 1 for a file a quarter smaller. XlsxWriter looks the class up in its
    own module when a workbook closes, so it is replaced there (XlsxWriter is pinned
    below 4, and a test checks the hook is still the one used).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compresslevel", FAST_DEFLATE)
        super().__init__(*args, **kwargs)


xlsxwriter.workbook.ZipFile = QuickZipFile  # type: ignore[misc]


# Text that XlsxWriter would change on the way to the file: XML's &<>, control
# characters and what looks like their _xHHHH_ escapes, the two non-characters, and
# leading or trailing whitespace (kept with xml:space="preserve").
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
# The same over a row's texts joined by _SEPARATOR: whitespace next to a separator is a
# cell's leading or trailing whitespace (a separator inside a cell can only add a false
# alarm, which costs the per-cell look).
_SEPARATOR = "\x7f"
_ROW_SPECIAL = re.compile(
    r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|(?:^|\x7f)\s|\s(?:\x7f|$)"
)


class LedgerWorksheet(xlsxwriter.worksheet.Worksheet):
    """XlsxWriter's worksheet, in constant_memory mode, with one more way in: a whole row
    of plain cells at once (`write_plain_row`).

    Written cell by cell through the public methods, a row costs about 9 µs a cell
    (argument checks, a cell tuple, then the XML); 100,000 tasks of ten columns take
    ten seconds, the export's whole budget. `write_plain_row` writes the same XML
    XlsxWriter writes for those cells (the tests compare the two byte for byte), and
    leaves any text that needs escaping to XlsxWriter's own escaping functions.
    """

    plain_row = -1  # the last row written by write_plain_row

    def write_plain_row(self, row: int, values: Sequence[Cell], xfs: Sequence[int]) -> None:
        """Row `row`: a value per column from A, each with its format's xf index (from
        `LedgerBook.xf`); None or "" is a formatted blank, an int a number, a str
        inline text (cut to Excel's limit)."""
        if (
            row < self.previous_row
            or row <= self.plain_row
            or (row == self.previous_row and self.table.get(row))
            or row in self.row_info
        ):
            raise ValueError(
                f"row {row}: plain rows come in order, once each, after the rows written "
                "cell by cell, and have no row settings"
            )
        self._write_single_row(row)  # what XlsxWriter still holds (the header) goes first
        self.plain_row = row
        # One search over the row's text finds whether any cell needs XlsxWriter's
        # escaping (most rows need none); the cells of such a row are looked at one by one.
        texts = [v for v in values if v.__class__ is str]
        special = bool(texts) and _ROW_SPECIAL.search(_SEPARATOR.join(texts)) is not None
        ref = str(row + 1)
        parts = [f'<row r="{ref}">']
        for c, (value, xf) in enumerate(zip(values, xfs, strict=True)):
            name = _COLUMN_NAMES[c] + ref
            if value is None or value == "":
                parts.append(f'<c r="{name}" s="{xf}"/>')
            elif value.__class__ is int:
                parts.append(f'<c r="{name}" s="{xf}"><v>{value:.16G}</v></c>')
            else:
                text: str = value  # type: ignore[assignment]
                if len(text) > STRING_MAX:
                    text = text[:STRING_MAX]
                space = ""
                if special and _SPECIAL.search(text):
                    text = self._escape_control_characters(text)
                    if preserve_whitespace(text):
                        space = ' xml:space="preserve"'
                    text = self._escape_data(text)
                parts.append(
                    f'<c r="{name}" s="{xf}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
                )
        parts.append("</row>")
        self.fh.write("".join(parts))
        if self.dim_colmin is None or self.dim_colmin > 0:
            self._check_dimensions(row, 0)
        self._check_dimensions(row, len(values) - 1)


_COLUMN_NAMES = [xlsxwriter.utility.xl_col_to_name(c) for c in range(64)]


def declare_merge(ws: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Declare a merged range over cells already written.

    `merge_range` writes the range's cells itself, which constant_memory mode refuses
    for rows already flushed, so the range goes straight into the list XlsxWriter
    writes as <mergeCells> when the sheet closes (the same list `merge_range` appends
    to; XlsxWriter is pinned below 4 and the tests read the merges back). The cells
    were written by the caller with the merged format, which is what Excel expects.
    """
    ws.merge.append([first_row, first_col, last_row, last_col])


class LedgerBook:
    """The workbook being written: XlsxWriter in constant_memory mode and its formats."""

    def __init__(self, target: str | Path | IO[bytes], properties: dict[str, str]) -> None:
        self.book = xlsxwriter.Workbook(
            str(target) if isinstance(target, Path) else target,
            {"constant_memory": True, "strings_to_numbers": False,
             "strings_to_formulas": False, "strings_to_urls": False},
        )  # fmt: skip
        self.book.set_properties(properties)
        self.formats = {name: self.book.add_format(spec) for name, spec in FORMATS.items()}

    def xf(self, name: str) -> int:
        """The index of format `name` in the workbook's styles, for `write_plain_row`."""
        index: int = self.formats[name]._get_xf_index()
        return index

    def add_sheet(self, name: str, title: str, columns: Sequence[Column]) -> LedgerWorksheet:
        """A sheet with its title row (merged across), header row (frozen, repeated on
        every printed page) and print set-up (A3 landscape, one page wide)."""
        ws: LedgerWorksheet = self.book.add_worksheet(name, worksheet_class=LedgerWorksheet)
        last = len(columns) - 1
        for i, column in enumerate(columns):
            ws.set_column(i, i, column.width)
        ws.set_row(0, TITLE_HEIGHT)
        ws.merge_range(0, 0, 0, last, title, self.formats["title"])
        ws.write_row(1, 0, [c.header for c in columns], self.formats["header"])
        ws.freeze_panes(2, 0)
        ws.set_paper(A3)
        ws.set_landscape()
        ws.repeat_rows(1)
        ws.fit_to_pages(1, 0)
        ws.set_margins(**MARGINS)
        ws.center_horizontally()
        ws.set_footer(FOOTER)
        return ws

    def close(self) -> None:
        self.book.close()
