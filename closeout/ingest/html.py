"""Saved web pages (.html): the article's paragraphs and tables, without the site chrome.

Government sites wrap a plan in navigation bars, breadcrumbs, share buttons and footers,
often laid out with nested tables. We drop chrome by element (nav, header, footer, script …)
and by class/id words, treat tables that contain tables as layout, and keep leaf tables as
data tables with cell spans.
"""

from __future__ import annotations

import re
from typing import Any

from closeout.ingest.encoding import decode
from closeout.ingest.source import ReadContext, ReadError, SourceText, TextBuilder

_CHROME = "script style noscript nav header footer aside form iframe select button template svg"
CHROME_TAGS = frozenset(f"{_CHROME} head title meta link object embed canvas".split(" "))
# Whole words in a class or id that mark page furniture rather than content.
CHROME_WORDS = re.compile(
    r"(?:^|[\s_-])(nav|navbar|menu|footer|foot|header|top-?bar|breadcrumbs?|crumbs?|sidebar|"
    r"share|copyright|toolbar|search|login|skip)(?:$|[\s_-])",
    re.IGNORECASE,
)
_BLOCKS = "p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre br hr"
BLOCK_TAGS = frozenset(f"{_BLOCKS} tr td th table caption center address figure body".split(" "))
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def _decode_html(data: bytes, name: str) -> tuple[str, str]:
    match = _META_CHARSET.search(data[:4096])
    if match:
        declared = match.group(1).decode("ascii").lower()
        # GB2312/GBK pages routinely contain GB18030-only characters; the superset is safe.
        if declared in {"gb2312", "gbk", "gb_2312-80", "x-gbk"}:
            declared = "gb18030"
        try:
            return data.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall back to detection
    return decode(data, name)


def _is_chrome(element: Any) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.lower() in CHROME_TAGS:
        return True
    marks = f"{element.get('class', '')} {element.get('id', '')} {element.get('role', '')}"
    return bool(marks.strip()) and CHROME_WORDS.search(marks) is not None


class _Walker:
    def __init__(self) -> None:
        self.builder = TextBuilder()
        self.line: list[str] = []

    def flush(self) -> None:
        text = re.sub(r"[ \t\r\n\u3000\xa0]+", " ", "".join(self.line)).strip()
        self.line = []
        if text:
            self.builder.paragraph(text)

    def walk(self, element: Any) -> None:
        if not isinstance(element.tag, str):  # comments, processing instructions
            self.line.append(element.tail or "")
            return
        if _is_chrome(element):
            self.line.append(element.tail or "")
            return
        tag = element.tag.lower()
        if tag == "table" and not element.xpath(".//table"):
            rows = grid(element)
            if _is_navigation(element):
                self.line.append(element.tail or "")
                return
            if not _is_layout(rows):
                self.flush()
                self.builder.table(rows)
                self.line.append(element.tail or "")
                return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        self.line.append(element.text or "")
        for child in element:
            self.walk(child)
        if block:
            self.flush()
        self.line.append(element.tail or "")


_MAX_COLSPAN = 64


def _span(cell: Any, name: str, limit: int) -> int:
    try:
        value = int(str(cell.get(name, "1")).strip() or 1)
    except ValueError:
        return 1
    return limit if value <= 0 else min(value, limit)  # rowspan="0": to the last row


def grid(table: Any) -> list[list[str | tuple[int, int]]]:
    """The table's grid: each cell's text where it starts, and at the positions its
    colspan/rowspan cover the (row, col) where it starts (the rows below a rowspan
    cell read its problem, the columns under a colspan header line up)."""
    trs = list(table.iter("tr"))
    rows: list[list[str | tuple[int, int] | None]] = [[] for _ in trs]
    for r, tr in enumerate(trs):
        row = rows[r]
        col = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in {"td", "th"}:
                continue
            while col < len(row) and row[col] is not None:  # taken by a rowspan above
                col += 1
            width = _span(cell, "colspan", _MAX_COLSPAN)
            height = _span(cell, "rowspan", len(trs) - r)
            text = cell_text(cell)
            for dr in range(height):
                target = rows[r + dr]
                for dc in range(width):
                    while len(target) <= col + dc:
                        target.append(None)
                    if target[col + dc] is None:
                        target[col + dc] = text if dr == dc == 0 else (r, col)
            col += width
    return [["" if v is None else v for v in row] for row in rows]


def cell_text(cell: Any) -> str:
    """A cell's text with its paragraphs and line breaks kept as newlines."""
    parts: list[str] = []

    def visit(element: Any) -> None:
        if not isinstance(element.tag, str):
            parts.append(element.tail or "")
            return
        tag = element.tag.lower()
        if tag in CHROME_TAGS:
            parts.append(element.tail or "")
            return
        block = tag in BLOCK_TAGS
        if block:
            parts.append("\n")
        parts.append(element.text or "")
        for child in element:
            visit(child)
        if block:
            parts.append("\n")
        parts.append(element.tail or "")

    parts.append(cell.text or "")
    for child in cell:
        visit(child)
    lines = (
        re.sub(r"[ \t\r\u3000\xa0]+", " ", line).strip() for line in "".join(parts).split("\n")
    )
    return "\n".join(line for line in lines if line)


def _is_navigation(table: Any) -> bool:
    """Menus and link lists laid out as a table: most of their text is links."""
    text = re.sub(r"\s+", "", table.text_content())
    links = table.xpath(".//a")
    linked = sum(len(re.sub(r"\s+", "", a.text_content())) for a in links)
    return len(links) >= 2 and (not text or linked / len(text) >= 0.6)


def _is_layout(rows: list[list[str | tuple[int, int]]]) -> bool:
    """A table that lays out the page rather than holding data: one column, or a few rows
    of which one cell carries the article (long text in several paragraphs)."""
    widths = [sum(1 for v in row if isinstance(v, str) and v.strip()) for row in rows]
    if not widths or max(widths) < 2:
        return True
    if len(rows) > 3:
        return False
    return any(
        isinstance(v, str) and len(v) > 500 and v.count("\n") >= 2 for row in rows for v in row
    )


def read_html(data: bytes, name: str, context: ReadContext) -> SourceText:
    import lxml.html

    text, encoding = _decode_html(data, name)
    text = _XML_DECL.sub("", text)
    if not text.strip():
        raise ReadError(name, "empty HTML page")
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises ParserError/ValueError on junk
        raise ReadError(name, f"cannot parse HTML ({type(exc).__name__}: {exc})") from exc
    body = root.find("body")
    walker = _Walker()
    walker.walk(body if body is not None else root)
    walker.flush()
    out = walker.builder.text()
    if not out.strip():
        raise ReadError(name, "HTML page has no text outside navigation and scripts")
    return SourceText(
        name=name, format="html", text=out, encoding=encoding, tables=tuple(walker.builder.tables)
    )
