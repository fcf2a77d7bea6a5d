from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeout.ingest import ReadContext, ReadError, read
from closeout.ingest.tests.conftest import FILES, seed_path


def test_importing_the_parser_does_not_import_django():
    code = "import sys, closeout.ingest; sys.exit('django' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_utf8_seed_is_read_verbatim(number):
    path = seed_path(number)
    source = read(path)
    assert source.encoding == "utf-8"
    assert source.format == "txt"
    assert source.text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
        ("utf-16", "utf-16-le"),  # Python writes a BOM
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("utf-8-sig", "utf-8"),
    ],
)
def test_simplified_seed_is_decoded_in_every_encoding(seed_text, encoding, expected):
    # GBK lacks a few characters of the page (a no-break space): drop them for this one.
    text = "".join(ch for ch in seed_text("003") if ch.encode(encoding, errors="ignore"))
    source = read(text.encode(encoding), ReadContext(name="003.txt"))
    assert source.text == text
    assert source.encoding == expected


def test_traditional_text_in_big5_is_detected_as_big5(seed_text):
    import opencc

    traditional = opencc.OpenCC("s2t.json").convert(seed_text("001"))
    text = "".join(ch for ch in traditional if ch.encode("big5", errors="ignore"))
    source = read(text.encode("big5"), ReadContext(name="001-big5.txt"))
    assert source.encoding == "big5"
    assert source.text == text


def test_short_gbk_field_line_is_decoded():
    line = "整改时限:2020年年底。责任单位:市环保局、市发改委,各县区党委、政府"
    assert read(line.encode("gbk"), ReadContext(name="x.txt")).text == line


def test_random_bytes_raise_an_error_naming_the_file():
    data = bytes((i * 7919 + 13) % 256 for i in range(5000))
    with pytest.raises(ReadError, match=r"junk\.txt: cannot decode"):
        read(data, ReadContext(name="junk.txt"))


def test_missing_file_raises_read_error(tmp_path):
    with pytest.raises(ReadError, match="cannot open"):
        read(tmp_path / "nope.txt")


def test_oversized_input_is_refused_before_decoding():
    with pytest.raises(ReadError, match="larger than"):
        read(b"a" * 2000, ReadContext(name="big.txt", max_bytes=1000))


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("某县整改方案")
    document.add_paragraph("一、大气污染防治")
    table = document.add_table(rows=2, cols=3)
    for c, value in enumerate(["问题", "责任单位", "整改时限"]):
        table.cell(0, c).text = value
    for c, value in enumerate(["扬尘管控不到位", "县住建局、县城管局", "2021年12月31日"]):
        table.cell(1, c).text = value
    document.add_paragraph("二、保障措施")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_tables_come_in_document_order():
    source = read(_docx_bytes(), ReadContext(name="plan.docx"))
    assert source.format == "docx"
    lines = source.text.split("\n")
    assert lines[0] == "某县整改方案"
    assert lines[2] == "问题\t责任单位\t整改时限"
    assert lines[-1] == "二、保障措施"
    (table,) = source.tables
    cell = table.rows[1][1]
    assert cell.text == "县住建局、县城管局"
    assert source.text[cell.span[0] : cell.span[1]] == "县住建局、县城管局"


def test_truncated_docx_raises_read_error():
    data = _docx_bytes()
    with pytest.raises(ReadError, match=r"plan\.docx"):
        read(data[: len(data) // 2], ReadContext(name="plan.docx"))


def test_zip_bomb_disguised_as_docx_is_refused():
    # How fast: `closeout bench --ingest` (a limit in seconds fails on a loaded machine).
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(ReadError, match=r"zip bomb|over the limit"):
        read(buffer.getvalue(), ReadContext(name="bomb.docx"))


def test_zip_without_word_document_is_not_a_docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ReadError, match=r"not a \.docx"):
        read(buffer.getvalue(), ReadContext(name="x.docx"))


def test_pdf_text_layer_gives_paragraphs_and_table_cells_in_page_order():
    source = read(FILES / "table_plan.pdf")
    assert source.format == "pdf"
    lines = source.text.split("\n")
    # Chromium's PDF uses Kangxi radical code points (⽣ for 生): verbatim here, NFKC later.
    assert lines[0].endswith("问题整改清单")
    assert lines[2].startswith("序号\t问题\t责任单位")
    assert lines[-1].endswith("保障措施")
    (table,) = source.tables
    assert [c.text for c in table.rows[1]][:3] == ["1", "扬尘污染管控不到位", "市住建局、市城管局"]


@pytest.mark.parametrize("cut", [10, 1000, 50000])
def test_truncated_pdf_raises_read_error(cut):
    data = (FILES / "table_plan.pdf").read_bytes()[:cut]
    with pytest.raises(ReadError, match=r"t\.pdf"):
        read(data, ReadContext(name="t.pdf"))


PAGE = """<!DOCTYPE html><html><head><meta charset="gb2312"><title>标题</title>
<script>var nav = "首页";</script><style>p{}</style></head><body>
<div class="top-nav"><a href="/">首页</a> &gt; <a>政务公开</a></div>
<header>网站头部</header>
<table><tr><td><table class="content"><tr><th>问题</th><th>责任单位</th></tr>
<tr><td>黑臭水体</td><td>区水务局</td></tr></table></td></tr></table>
<div id="article"><p>一、总体要求</p><p>到2020年,城市污水处理率不低于96%。</p></div>
<div class="footer">版权所有 ICP备</div><footer>联系我们</footer></body></html>"""


def test_html_keeps_article_and_data_table_and_drops_chrome():
    source = read(PAGE.encode("gb18030"), ReadContext(name="page.html"))
    assert source.format == "html"
    assert source.encoding == "gb18030"
    for chrome in ("首页", "网站头部", "版权所有", "联系我们", "var nav", "标题"):
        assert chrome not in source.text
    assert "一、总体要求" in source.text
    assert "到2020年,城市污水处理率不低于96%。" in source.text
    (table,) = source.tables
    assert [c.text for c in table.rows[1]] == ["黑臭水体", "区水务局"]


def test_html_with_only_navigation_is_an_error():
    page = b"<html><body><nav>a</nav><script>x</script></body></html>"
    with pytest.raises(ReadError, match="no text"):
        read(page, ReadContext(name="empty.html"))


def test_unknown_extension_is_refused(tmp_path):
    path = tmp_path / "plan.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ReadError, match="unsupported format"):
        read(path)


@settings(max_examples=60)
@given(st.binary(max_size=3000), st.sampled_from(["x.txt", "x.docx", "x.pdf", "x.html"]))
def test_any_bytes_give_a_source_or_a_read_error_never_a_crash(data, name):
    try:
        source = read(data, ReadContext(name=name))
    except ReadError as exc:
        assert exc.name == name
    else:
        assert isinstance(source.text, str)


def test_huge_single_line_is_read():
    # How fast: `closeout bench --ingest`.
    line = ("整改时限:2020年年底," * 200_000).encode("gb18030")
    assert read(line, ReadContext(name="long.txt")).text.startswith("整改时限")


def test_docx_table_is_read_as_its_grid_with_merged_cells_written_once():
    import docx

    document = docx.Document()
    table = document.add_table(rows=4, cols=4)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "问题"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "责任单位"
    table.cell(0, 3).merge(table.cell(1, 3)).text = "整改时限"
    table.cell(1, 1).text, table.cell(1, 2).text = "牵头单位", "配合单位"
    table.cell(2, 0).merge(table.cell(3, 0)).text = "河道淤积"
    table.cell(2, 1).text = "县水利局"
    table.cell(3, 1).text = "县城管局"
    buffer = io.BytesIO()
    document.save(buffer)
    source = read(buffer.getvalue(), ReadContext(name="grid.docx"))
    (parsed,) = source.tables
    rows = parsed.rows
    assert [len(row) for row in rows] == [4, 4, 4, 4]  # grid columns, not distinct cells
    assert [c.text for c in rows[1]] == ["问题", "牵头单位", "配合单位", "整改时限"]
    covered = rows[3][0]
    assert covered.text == "河道淤积" and covered.origin == (2, 0)
    assert covered.span == rows[2][0].span and source.text.count("河道淤积") == 1
    assert rows[0][2].origin == (0, 1) and rows[0][2].text == "责任单位"
    assert rows[2][0].origin is None
