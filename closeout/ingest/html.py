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
            self.flush()
            self.builder.table(self._rows(element))
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

    @staticmethod
    def _rows(table: Any) -> list[list[str]]:
        rows: list[list[str]] = []
        for tr in table.iter("tr"):
            cells = [
                re.sub(r"\s+", " ", cell.text_content()).strip()
                for cell in tr
                if isinstance(cell.tag, str) and cell.tag.lower() in {"td", "th"}
            ]
            rows.append(cells)
        return rows


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
