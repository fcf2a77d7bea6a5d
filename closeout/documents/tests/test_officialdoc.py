"""The official document layout (GB/T 9704): page, fonts, red header, page numbers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from closeout.documents.officialdoc import (
    Issuer,
    OfficialDocument,
    chinese_date,
    run_east_asian_font,
)
from closeout.documents.tests.pdfcheck import assert_renders

BODY = "某市生态环境保护督察整改工作领导小组办公室"
DAY = dt.date(2026, 12, 4)


HEADER = Issuer(BODY, "督办〔2026〕3号")


def _sample(red_header: Issuer | None = HEADER) -> OfficialDocument:
    doc = OfficialDocument(
        title="关于某区污水直排问题整改工作的督办函", red_header=red_header,
        addressee="某区人民政府：",
    )
    doc.heading("一、基本情况", 1)
    doc.heading("（一）问题内容", 2)
    doc.heading("1. 整改要求", 3)
    doc.paragraph("请于2026年12月18日前将整改落实情况书面报送。")
    doc.table(["序号", "责任单位"], [["1", "某区人民政府"], ["2", "市水务局"]],
              widths_mm=[20, 136])
    doc.signature(BODY, DAY)
    doc.copy_to(["市生态环境局"])
    return doc


def _open(doc: OfficialDocument):
    return Document(io.BytesIO(doc.to_bytes()))


def _paragraph(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def test_page_is_a4_with_the_standard_margins():
    section = _open(_sample()).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin,
                                  section.left_margin, section.right_margin)] == [37, 35, 28, 26]


@pytest.mark.parametrize(
    ("text", "font", "size", "bold"),
    [
        ("关于某区污水直排问题整改工作的督办函", "方正小标宋简体", 22, False),
        ("一、基本情况", "黑体", 16, False),
        ("（一）问题内容", "楷体_GB2312", 16, False),
        ("1. 整改要求", "仿宋_GB2312", 16, True),
        ("请于2026年12月18日前将整改落实情况书面报送。", "仿宋_GB2312", 16, False),
        ("2026年12月4日", "仿宋_GB2312", 16, False),
    ],
)
def test_each_part_has_its_east_asian_font_and_size(text, font, size, bold):
    p = _paragraph(_open(_sample()), text)
    run = p.runs[0]
    assert run_east_asian_font(run) == font
    assert run.font.size == Pt(size)
    assert bool(run.font.bold) is bold


def test_body_has_exact_line_spacing_and_a_two_character_indent():
    document = _open(_sample())
    p = _paragraph(document, "请于2026年12月18日前将整改落实情况书面报送。")
    normal = document.styles["Normal"].paragraph_format
    assert 28 <= normal.line_spacing.pt <= 29
    assert normal.line_spacing_rule is not None and normal.line_spacing_rule.name == "EXACTLY"
    assert p.paragraph_format.first_line_indent == Pt(32)
    assert p._p.pPr.ind.get(qn("w:firstLineChars")) == "200"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(".//" + qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_font_table_names_the_windows_fallbacks():
    with zipfile.ZipFile(io.BytesIO(_sample().to_bytes())) as z:
        table = z.read("word/fontTable.xml").decode()
    assert 'w:name="仿宋_GB2312"><w:altName w:val="FangSong"/>' in table
    assert 'w:name="方正小标宋简体"><w:altName w:val="SimSun"/>' in table


def test_red_header_is_red_and_the_number_line_is_centred_under_it():
    document = _open(_sample())
    mark = _paragraph(document, BODY)
    assert mark.runs[0].font.color.rgb == (0xFF, 0x00, 0x00)
    assert run_east_asian_font(mark.runs[0]) == "方正小标宋简体"
    number = _paragraph(document, "督办〔2026〕3号")
    assert number.alignment == 1  # centre
    rules = document.element.body.findall(".//" + qn("w:pBdr") + "/" + qn("w:bottom"))
    assert any(r.get(qn("w:color")) == "FF0000" for r in rules)


def test_without_a_red_header_there_is_no_red_and_no_number():
    document = _open(_sample(red_header=None))
    assert all(p.text != "督办〔2026〕3号" for p in document.paragraphs)
    assert 'w:color="FF0000"' not in document.element.xml
    assert document.paragraphs[0].text == "关于某区污水直排问题整改工作的督办函"


def test_table_header_repeats_and_has_borders():
    table = _open(_sample()).tables[0]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table._tbl.tblPr.find(qn("w:tblBorders")) is not None
    assert [c.text for c in table.rows[2].cells] == ["2", "市水务局"]
    assert run_east_asian_font(table.rows[1].cells[1].paragraphs[0].runs[0]) == "仿宋_GB2312"


def test_footer_holds_a_page_field_between_dashes():
    section = _open(_sample()).sections[0]
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml
        assert footer.paragraphs[0].text.startswith("— ")
        assert footer.paragraphs[0].text.endswith(" —")


def test_core_properties_and_bytes_are_fixed_by_the_input():
    first, second = _sample().to_bytes(), _sample().to_bytes()
    assert first == second
    props = Document(io.BytesIO(first)).core_properties
    assert props.author == BODY
    assert props.created == props.modified == dt.datetime(2026, 12, 4, tzinfo=dt.UTC)


def test_bad_input_is_refused():
    doc = OfficialDocument(title="标题")
    with pytest.raises(ValueError, match="heading level"):
        doc.heading("x", 4)
    with pytest.raises(ValueError, match="row 1 has 1 cells for 2 columns"):
        doc.table(["a", "b"], [["1"]])
    with pytest.raises(ValueError, match="title"):
        OfficialDocument(title=" ")


def test_chinese_date_has_no_leading_zeros():
    assert chinese_date(dt.date(2026, 1, 5)) == "2026年1月5日"


def test_document_opens_and_renders_its_chinese_text():
    assert_renders(
        _sample().to_bytes(), ".docx",
        BODY, "督办〔2026〕3号", "关于某区污水直排问题整改工作的督办函", "某区人民政府：",
        "2026年12月4日", "抄送：市生态环境局。", "—1—",
    )
