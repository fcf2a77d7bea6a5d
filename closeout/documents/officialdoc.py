"""The official document layout (党政机关公文格式, GB/T 9704-2012) as a small Word writer.

Every Word document the offices exchange (督办函, 调度通报, 公示) is written through this
module, so they share one layout: A4; margins top 37 mm, bottom 35 mm, left 28 mm, right
26 mm (a 156 × 225 mm type area); body text 仿宋_GB2312 三号 (16 pt) at an exact line
spacing of 28.95 pt (22 lines a page), first line indented two characters; headings of
level 1 in 黑体, level 2 in 楷体_GB2312, level 3 in 仿宋 bold; the title in 方正小标宋简体
二号 (22 pt), centred; page numbers "— 1 —" in 宋体 四号 in the footer (odd pages on the
right, even pages on the left, one character in). East Asian fonts are written to
w:rFonts/@w:eastAsia (python-docx's `font.name` sets only ascii/hAnsi), and each font
is declared in the font table with the name Windows gives it (`FangSong`, `KaiTi`,
`SimHei`, `SimSun`) as its alternative, for computers without the GB2312 fonts.

API (pure: plain values in, bytes out)::

    from closeout.documents.officialdoc import Issuer, OfficialDocument, chinese_date

    doc = OfficialDocument(
        title="关于某某问题整改工作的督办函",
        red_header=Issuer("某市生态环境保护督察整改工作领导小组办公室", "督办〔2026〕3号"),
        addressee="某区人民政府：",        # 主送机关 (None: no line)
        date=dt.date(2026, 12, 4),        # 成文日期; signature() sets it too
    )
    doc.heading("一、基本情况", 1)          # levels 1-3; the caller writes the numbering
    doc.paragraph("正文……")                # indent=False, align="center"|"right", bold=
    doc.table(["序号", "单位"], [["1", "某区"]], widths_mm=[20, 136])
    doc.image(png_bytes, width_mm=150)
    doc.signature("某市……办公室", dt.date(2026, 12, 4))   # right-aligned, 2026年12月4日
    doc.copy_to(["某局", "某区"])            # 版记: 抄送 line between two rules
    data: bytes = doc.to_bytes()

`red_header=None` gives a document without the red 发文机关标志 (a notice, an annex);
`Issuer(name, number="")` a red header without a number line. `to_bytes()` is
deterministic: the core properties (created, modified) come from the document date,
the author is the issuing body, and the zip entries carry a fixed time, so the same
input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

# Fonts: the name offices use, and the Windows font to fall back to.
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
FALLBACK = {FANGSONG: "FangSong", KAITI: "KaiTi", HEITI: "SimHei", XIAOBIAOSONG: "SimSun",
            SONGTI: "SimSun"}

# Chinese type sizes (字号) in points.
ERHAO = 22.0  # 二号
SANHAO = 16.0  # 三号
SIHAO = 14.0  # 四号
XIAOSI = 12.0  # 小四

RED = RGBColor(0xFF, 0x00, 0x00)
LINE_PITCH = Pt(28.95)  # 22 lines in the 225 mm type area (579 twips)
TYPE_WIDTH_MM = 156.0
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
_EPOCH = dt.date(2000, 1, 1)  # the date of a document that gives none
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_ALIGN = {
    None: WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_HEADING_FONTS = {1: (HEITI, False), 2: (KAITI, False), 3: (FANGSONG, True)}


@dataclass(frozen=True)
class Issuer:
    """The red header (版头): the issuing body's name (发文机关标志) and the document
    number (发文字号, e.g. "督办〔2026〕3号"; empty: no number line)."""

    name: str
    number: str = ""


def chinese_date(day: dt.date) -> str:
    """A date as official documents write it: 2026年12月4日 (Arabic figures, no zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def set_run_font(run: Run, font: str, size: float, *, bold: bool = False,
                 color: RGBColor | None = None) -> None:
    """Font of a run for every script: ascii, hAnsi, eastAsia and cs."""
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def run_east_asian_font(run: Run) -> str | None:
    """The East Asian font of a run as written (for tests and readers)."""
    rpr = run._r.rPr
    fonts = None if rpr is None else rpr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


class OfficialDocument:
    """One official document, built top to bottom (see the module docstring)."""

    def __init__(self, *, title: str, red_header: Issuer | None = None,
                 addressee: str | None = None, date: dt.date | None = None,
                 author: str | None = None) -> None:
        self.title = title
        self.date = date
        self.author = author or (red_header.name if red_header else "")
        self._doc = Document()
        self._setup()
        body = self._doc.element.body
        # The template's one empty paragraph goes; the section properties stay.
        for p in list(body.iterchildren(qn("w:p"))):
            body.remove(p)
        if red_header is not None:
            self._red_header(red_header)
        self._title(title)
        if addressee:
            self.paragraph(addressee, indent=False, align="left")

    # -- page, styles, footer -------------------------------------------------------

    def _setup(self) -> None:
        doc = self._doc
        section = doc.sections[0]
        section.start_type = WD_SECTION_START.NEW_PAGE
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
        section.header_distance = Mm(15)
        # The page number's top edge sits about 7 mm under the type area.
        section.footer_distance = Mm(22)
        styles = doc.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is not None:
            styles.remove(defaults)
        styles.insert(0, parse_xml(
            f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>"
            f'<w:rFonts w:ascii="{FANGSONG}" w:hAnsi="{FANGSONG}" w:eastAsia="{FANGSONG}"'
            f' w:cs="{FANGSONG}"/><w:kern w:val="2"/><w:sz w:val="32"/><w:szCs w:val="32"/>'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
            "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
            f'<w:spacing w:before="0" w:after="0" w:line="{LINE_PITCH.twips}" w:lineRule="exact"/>'
            "</w:pPr></w:pPrDefault></w:docDefaults>"
        ))
        normal = doc.styles["Normal"]
        normal.font.size = Pt(SANHAO)
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None:
            rpr.remove(fonts)
        fonts = parse_xml(
            f'<w:rFonts {nsdecls("w")} w:ascii="{FANGSONG}" w:hAnsi="{FANGSONG}"'
            f' w:eastAsia="{FANGSONG}" w:cs="{FANGSONG}"/>'
        )
        rpr.insert(0, fonts)
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_PITCH
        fmt.widow_control = False
        self._font_table()
        doc.settings.odd_and_even_pages_header_footer = True
        self._page_number(section.footer.paragraphs[0], odd=True)
        self._page_number(section.even_page_footer.paragraphs[0], odd=False)

    def _font_table(self) -> None:
        """Declare each font with its Windows name as the alternative (w:altName)."""
        for rel in self._doc.part.rels.values():
            if rel.reltype != RT.FONT_TABLE:
                continue
            part = rel.target_part
            table = parse_xml(part.blob)
            for font, alt in FALLBACK.items():
                table.append(parse_xml(
                    f'<w:font {nsdecls("w")} w:name="{font}"><w:altName w:val="{alt}"/>'
                    '<w:charset w:val="86"/><w:family w:val="modern"/>'
                    '<w:pitch w:val="fixed"/></w:font>'
                ))
            from lxml import etree

            part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8",
                                        standalone=True)

    @staticmethod
    def _page_number(p: Paragraph, *, odd: bool) -> None:
        """"— 1 —" in 宋体 四号: a PAGE field between two em dashes; odd pages on the
        right and even pages on the left, one character in (单页码居右空一字)."""
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if odd:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.right_indent = Pt(SIHAO)
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            fmt.left_indent = Pt(SIHAO)

        def run(text: str = "") -> Run:
            r = p.add_run(text)
            set_run_font(r, SONGTI, SIHAO)
            return r

        run("— ")
        for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None),
                           ("text", "1"), ("end", None)):
            r = run()
            if kind == "instr":
                r._r.append(parse_xml(
                    f'<w:instrText {nsdecls("w")} xml:space="preserve">{text}</w:instrText>'
                ))
            elif kind == "text":
                r.text = text or ""
            else:
                r._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="{kind}"/>'))
        run(" —")

    # -- the parts of a document ----------------------------------------------------

    def _new(self, *, align: str | None = None, indent: bool = False,
             line: Pt | None = None) -> Paragraph:
        p = self._doc.add_paragraph()
        if align not in _ALIGN:
            raise ValueError(f"align must be one of left, center, right, justify: {align!r}")
        p.alignment = _ALIGN[align]
        fmt = p.paragraph_format
        if line is not None:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = line
        if indent:
            fmt.first_line_indent = Pt(2 * SANHAO)
            p._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
        return p

    def _text(self, p: Paragraph, text: str, font: str, size: float, *, bold: bool = False,
              color: RGBColor | None = None) -> None:
        for i, line in enumerate(text.split("\n")):
            run = p.add_run()
            if i:
                run.add_break()
            run.add_text(line)
            set_run_font(run, font, size, bold=bold, color=color)

    def _blank(self) -> None:
        self._new()

    def _red_header(self, issuer: Issuer) -> None:
        """发文机关标志 in red 小标宋 (as large as fits on one line, at most 初号-like 42
        pt), the number under it after a blank line, then the red rule (红色分隔线)."""
        name = issuer.name.strip()
        if not name:
            raise ValueError("the red header needs the issuing body's name")
        width_pt = TYPE_WIDTH_MM / 25.4 * 72
        size = max(SANHAO, min(42.0, round(width_pt / (len(name) * 1.1), 1)))
        mark = self._new(align="center", line=Pt(size * 1.25))
        mark.paragraph_format.space_before = Pt(24)
        self._text(mark, name, XIAOBIAOSONG, size, color=RED)
        self._blank()
        if issuer.number:
            number = self._new(align="center")
            self._text(number, issuer.number, FANGSONG, SANHAO)
        rule = self._new(line=Pt(8))
        rule.paragraph_format.space_before = Pt(4)
        rule._p.get_or_add_pPr().append(parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="18" w:space="1"'
            ' w:color="FF0000"/></w:pBdr>'
        ))
        self._blank()

    def _title(self, title: str) -> None:
        if not title.strip():
            raise ValueError("an official document needs a title")
        p = self._new(align="center", line=Pt(35))
        self._text(p, title, XIAOBIAOSONG, ERHAO)
        self._blank()

    def heading(self, text: str, level: int = 1) -> Paragraph:
        """A heading: level 1 黑体, level 2 楷体_GB2312, level 3 仿宋 bold, all 三号 and
        indented two characters like the body (the caller writes 一、（一）1.)."""
        if level not in _HEADING_FONTS:
            raise ValueError(f"heading level must be 1, 2 or 3, not {level}")
        font, bold = _HEADING_FONTS[level]
        p = self._new(indent=True)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:outlineLvl {nsdecls("w")} w:val="{level - 1}"/>'
        ))
        p.paragraph_format.keep_with_next = True
        self._text(p, text, font, SANHAO, bold=bold)
        return p

    def paragraph(self, text: str, *, indent: bool = True, align: str | None = None,
                  bold: bool = False) -> Paragraph:
        """A body paragraph: 仿宋_GB2312 三号, first line indented two characters."""
        p = self._new(align=align, indent=indent)
        self._text(p, text, FANGSONG, SANHAO, bold=bold)
        return p

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]],
              widths_mm: Sequence[float] | None = None, *, size: float = XIAOSI) -> Table:
        """A table in 仿宋 小四 with borders; the header row (黑体) repeats on every page.
        Widths default to equal columns across the type area."""
        count = len(headers)
        if count == 0:
            raise ValueError("a table needs at least one column")
        if widths_mm is None:
            widths_mm = [TYPE_WIDTH_MM / count] * count
        if len(widths_mm) != count:
            raise ValueError(f"{len(widths_mm)} widths for {count} columns")
        for number, row in enumerate(rows, start=1):
            if len(row) != count:
                raise ValueError(f"row {number} has {len(row)} cells for {count} columns")
        table = self._doc.add_table(rows=1 + len(rows), cols=count)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        tbl_pr.append(parse_xml(
            f"<w:tblBorders {nsdecls('w')}>"
            + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
            + "</w:tblBorders>"
        ))
        tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
        for r, values in enumerate([list(headers), *rows]):
            row = table.rows[r]
            if r == 0:
                row._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
            row._tr.get_or_add_trPr().append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
            for cell, width, value in zip(row.cells, widths_mm, values, strict=True):
                cell.width = Mm(width)
                p = cell.paragraphs[0]
                fmt = p.paragraph_format
                fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                fmt.line_spacing = Pt(size * 1.5)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 else WD_ALIGN_PARAGRAPH.LEFT
                text = "" if value is None else str(value)
                self._text(p, text, HEITI if r == 0 else FANGSONG, size)
        return table

    def image(self, png: bytes, width_mm: float = TYPE_WIDTH_MM) -> Paragraph:
        """A picture (a chart), centred, at most as wide as the type area."""
        p = self._new(align="center")
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.add_run().add_picture(io.BytesIO(png), width=Mm(min(width_mm, TYPE_WIDTH_MM)))
        return p

    def signature(self, body: str, date: dt.date) -> None:
        """The issuing body (发文机关署名) and the date (成文日期, 2026年12月4日), right-
        aligned, after two blank lines; the date becomes the document's date."""
        self.date = self.date or date
        self.author = self.author or body
        self._blank()
        self._blank()
        for text in (body, chinese_date(date)):
            p = self._new(align="right")
            p.paragraph_format.right_indent = Pt(2 * SANHAO)
            p.paragraph_format.keep_with_next = text == body  # name and date on one page
            self._text(p, text, FANGSONG, SANHAO)

    def copy_to(self, units: Sequence[str]) -> None:
        """The 版记 at the end: 抄送：A，B。 in 仿宋 四号 between two rules."""
        names = [u.strip() for u in units if u and u.strip()]
        if not names:
            return
        self._blank()
        p = self._new(align="left")
        p.paragraph_format.left_indent = Pt(SIHAO)
        p.paragraph_format.right_indent = Pt(SIHAO)
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.hanging_indent = None
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:pBdr {nsdecls("w")}>'
            '<w:top w:val="single" w:sz="8" w:space="4" w:color="000000"/>'
            '<w:bottom w:val="single" w:sz="8" w:space="4" w:color="000000"/></w:pBdr>'
        ))
        self._text(p, "抄送：" + "，".join(names) + "。", FANGSONG, SIHAO)

    # -- output ---------------------------------------------------------------------

    @property
    def document(self) -> object:
        """The python-docx Document, for a caller that needs more than this API."""
        return self._doc

    def to_bytes(self) -> bytes:
        """The .docx, the same bytes for the same input."""
        day = self.date or _EPOCH
        stamp = dt.datetime(day.year, day.month, day.day)
        props = self._doc.core_properties
        props.title = self.title.replace("\n", "")
        props.author = self.author
        props.last_modified_by = self.author
        props.created = stamp
        props.modified = stamp
        props.revision = 1
        props.comments = ""
        raw = io.BytesIO()
        self._doc.save(raw)
        return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry at one fixed time (python-docx stamps them now)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


__all__ = [
    "FALLBACK",
    "Issuer",
    "OfficialDocument",
    "chinese_date",
    "run_east_asian_font",
    "set_run_font",
]
