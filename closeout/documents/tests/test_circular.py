"""The circular's document (closeout.documents.circular): the built-in layout's sections,
fonts and images, the same bytes for the same data, and an office's docxtpl template
with the documented context, including the errors that name the tag."""

from __future__ import annotations

import dataclasses
import io
import struct
import zlib

import docx
import pytest

from closeout.documents import circular
from closeout.documents.officialdoc import FANGSONG, HEITI, run_east_asian_font
from closeout.documents.tests.pdfcheck import assert_renders

SECTIONS = ["一、总体进展", "二、各责任单位进展排名", "三、滞后和逾期任务", "四、督办措施",
            "五、“回头看”情况", "六、下一步工作要求"]  # fmt: skip


def _png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def data() -> circular.CircularData:
    charts = {"chart_buckets": _png(), "chart_ranking": _png(5, 2)}
    return dataclasses.replace(circular.sample_data(), charts=charts)


def _doc(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _paragraphs(data: bytes) -> list[str]:
    return [p.text for p in _doc(data).paragraphs]


def _images(data: bytes) -> int:
    with __import__("zipfile").ZipFile(io.BytesIO(data)) as z:
        return sum(1 for n in z.namelist() if n.startswith("word/media/"))


def test_the_builtin_circular_has_its_sections_in_order(data):
    texts = _paragraphs(circular.build(data))
    assert texts[0] == data.issuing_body and data.number in texts
    assert circular.TITLE_ALL in texts
    positions = [texts.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert "2026年12月4日" in texts and texts[-1] == "2026年12月4日"
    summary = next(t for t in texts if t.startswith("截至2026年12月6日"))
    assert "逾期1项" in summary and "较上期增加1项" in summary


def test_the_title_names_the_plan_of_a_circular_for_one_plan(data):
    one = dataclasses.replace(data, plan_title="济南市整改方案")
    assert "关于《济南市整改方案》整改工作进展情况的通报" in _paragraphs(circular.build(one))


def test_headings_and_body_use_the_official_fonts(data):
    doc = _doc(circular.build(data))
    by_text = {p.text: p for p in doc.paragraphs}
    assert run_east_asian_font(by_text["一、总体进展"].runs[0]) == HEITI
    assert run_east_asian_font(by_text["（一）逾期任务"].runs[0]) != FANGSONG
    body = next(p for t, p in by_text.items() if t.startswith("截至2026年12月6日"))
    assert run_east_asian_font(body.runs[0]) == FANGSONG
    ranking = doc.tables[1]
    assert [c.text for c in ranking.rows[0].cells][:2] == ["排名", "责任单位"]
    assert [c.text for c in ranking.rows[1].cells][:2] == ["1", "某区人民政府"]


def test_both_charts_are_in_the_document_and_none_without_them(data):
    assert _images(circular.build(data)) == 2
    assert _images(circular.build(dataclasses.replace(data, charts={}))) == 0


def test_the_same_data_gives_the_same_bytes_with_fixed_core_properties(data):
    first = circular.build(data)
    assert circular.build(data) == first
    props = _doc(first).core_properties
    assert props.created.date().isoformat() == "2026-12-04" and props.author == data.issuing_body


def test_empty_lists_are_said_in_words(data):
    empty = dataclasses.replace(
        data, ranking=[], overdue=[], overdue_total=0, lagging=[], lagging_total=0,
        measures=[], measures_total=0, lookbacks=[], lookbacks_total=0,
    )  # fmt: skip
    texts = _paragraphs(circular.build(empty))
    assert "截至本期末，无逾期任务。" in texts and "本期未下达督办措施。" in texts
    assert "本期无“回头看”核查结果。" in texts


def test_the_builtin_circular_opens_and_renders_its_chinese(data):
    assert_renders(circular.build(data), ".docx", circular.TITLE_ALL, "总体进展", "某区人民政府")


# --- an office's template ------------------------------------------------------------


def sample_template() -> bytes:
    """A template using the documented context (the sample an office can start from)."""
    doc = docx.Document()
    doc.add_paragraph("{{ issuing_body }}")
    doc.add_paragraph("{{ number }}")
    doc.add_paragraph("{{ title }}")
    doc.add_paragraph("{{ summary }}")
    doc.add_paragraph("共{{ total }}项（{{ total_change }}），逾期{{ counts.overdue }}项")
    table = doc.add_table(rows=3, cols=3)
    table.rows[0].cells[0].text = "排名"
    table.rows[1].cells[0].text = "{%tr for u in ranking %}"
    row = table.rows[2].cells
    row[0].text, row[1].text, row[2].text = "{{ u.rank }}", "{{ u.unit }}", "{{ u.overdue }}"
    doc.add_table(rows=1, cols=1).rows[0].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("{% for t in overdue %}{{ t.task }}（{{ t.units }}）{% endfor %}")
    doc.add_paragraph("{{ chart_buckets }}")
    doc.add_paragraph("{{ date }}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _template(*lines: str) -> bytes:
    doc = docx.Document()
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_an_office_template_is_rendered_with_the_documented_context(data):
    made = circular.render_template(sample_template(), data)
    texts = _paragraphs(made)
    assert texts[:3] == [data.issuing_body, data.number, circular.TITLE_ALL]
    assert "共10项（0），逾期1项" in texts
    assert "整治某河黑臭水体（某区人民政府）" in texts and "2026年12月4日" in texts
    cells = [c.text for t in _doc(made).tables for r in t.rows for c in r.cells]
    assert "某区人民政府" in cells
    assert _images(made) == 1
    assert circular.render_template(sample_template(), data) == made


def test_every_documented_name_is_in_the_context():
    documented = set()
    for line in (circular.__doc__ or "").splitlines():
        words = line.split()
        if line.startswith("    ") and words and words[0].isidentifier():
            documented.add(words[0])
    assert documented == circular.CONTEXT_NAMES
    assert {"title", "ranking", "chart_buckets", "lookbacks"} <= circular.CONTEXT_NAMES


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("{{ title }", "{{ title }"),
        ("{% for u in ranking %}{{ u.unit }}", "{% for u in ranking %}"),
        ("{% endif %}", "{% endif %}"),
        ("{{ nosuch }}", "{{ nosuch }}"),
        ("{{ ranking[0].nmae }}", "{{ ranking[0].nmae }}"),
    ],
)
def test_a_template_error_names_the_tag(data, line, named):
    with pytest.raises(circular.TemplateError) as caught:
        circular.render_template(_template("通报", line), data)
    assert named in str(caught.value)


def test_a_file_that_is_not_a_docx_is_refused(data):
    with pytest.raises(circular.TemplateError, match="not a Word"):
        circular.render_template(b"%PDF-1.4 not a docx", data)
    circular.check_template(sample_template())  # the sample passes the check


def test_the_charts_are_drawn_as_png_in_chinese():
    from closeout.documents import circularcharts

    data = circular.sample_data()
    shares = circularcharts.bucket_shares([(data.period_end, data.buckets)])
    ranking = circularcharts.unit_ranking(data.ranking)
    assert shares.startswith(b"\x89PNG") and ranking.startswith(b"\x89PNG")
    made = circular.build(
        dataclasses.replace(data, charts={"chart_buckets": shares, "chart_ranking": ranking})
    )
    assert _images(made) == 2
