"""The public progress report (整改进展情况公示) and the close-out notice (销号公示) as
Word files: their structure, the contents of their tables, the same bytes for the same
input, and that LibreOffice opens them."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pytest
from docx import Document

from closeout.documents import publicdocs
from closeout.documents.publicdata import (
    BUCKET_WORDS,
    BucketCount,
    NoticeData,
    ProgressReportData,
    ReportProblem,
    ReportTask,
    UnitPart,
    cn_date,
)
from closeout.documents.tests.pdfcheck import assert_renders

AS_OF = dt.date(2026, 12, 4)


def _totals(**counts: int) -> tuple[BucketCount, ...]:
    return tuple(BucketCount(b, counts.get(b, 0)) for b in BUCKET_WORDS)


def _task(seq: int, **fields) -> ReportTask:
    base = {
        "id": seq,
        "seq": seq,
        "text": f"整改任务{seq}：加强饮用水水源地保护",
        "target": "水源地水质稳定达标",
        "lead_units": ("市生态环境局",),
        "coop_units": (),
        "deadline": "2026年年底",
        "due_date": dt.date(2026, 12, 31),
        "bucket": "on_schedule",
        "progress": 60,
        "status": "in_progress",
    }
    return ReportTask(**{**base, **fields})


def report() -> ProgressReportData:
    first = (
        _task(1, coop_units=("历城区政府",)),
        _task(2, bucket="done", status="closed", progress=100, closed_on=dt.date(2026, 3, 2)),
    )
    second = (
        _task(3, bucket="overdue", deadline="", due_date=dt.date(2025, 6, 30), progress=30),
        _task(4, bucket="sustained", status="sustained", deadline="立行立改，长期坚持"),
    )
    return ProgressReportData(
        plan_id=7,
        title="济南市贯彻落实中央环境保护督察反馈意见整改方案",
        issuer="济南市人民政府",
        issued_on=dt.date(2018, 6, 29),
        office="济南市环境保护督察整改工作领导小组办公室",
        as_of=AS_OF,
        problems=(
            ReportProblem(1, 1, "1", "饮用水水源地保护不力", first, _totals(done=1, on_schedule=1)),
            ReportProblem(2, 2, "", "黑臭水体整治滞后", second, _totals(overdue=1, sustained=1)),
        ),
        totals=_totals(done=1, on_schedule=1, overdue=1, sustained=1),
    )


def notice() -> NoticeData:
    return NoticeData(
        task_id=11,
        seq=3,
        text="完成小清河流域黑臭水体整治",
        target="消除黑臭",
        measures=("截污纳管", "清淤疏浚"),
        plan_title="《济南市整改方案》",
        plan_issuer="济南市人民政府",
        problem_number="5",
        problem_title="黑臭水体整治滞后",
        units=(
            UnitPart("lead", ("市城乡水务局",)),
            UnitPart("supervising", ("市督导组",)),
        ),
        deadline="2026年11月底",
        due_date=dt.date(2026, 11, 30),
        progress=100,
        requested_on=dt.date(2026, 12, 1),
        reviewed_on=dt.date(2026, 12, 4),
        notice_from=dt.date(2026, 12, 4),
        notice_until=dt.date(2026, 12, 10),
        office="济南市环境保护督察整改工作领导小组办公室",
        objection_url="https://portal.example/public/tasks/11/#objections",
    )


def _doc(data: bytes):
    return Document(io.BytesIO(data))


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text]


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.mark.parametrize(
    ("n", "words"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (35, "三十五"), (100, "100")],
)
def test_headings_are_numbered_in_chinese(n, words):
    assert publicdocs.chinese_number(n) == words


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "济南市贯彻落实中央环境保护督察反馈意见整改方案",
            "关于济南市贯彻落实中央环境保护督察反馈意见整改进展情况的公示",
        ),
        ("《湖州市整改工作方案》", "关于湖州市整改进展情况的公示"),
        ("某市督察整改", "关于某市督察整改进展情况的公示"),
        (
            "济南市贯彻落实中央环境保护督察组督察反馈意见整改落实方案",
            "关于济南市贯彻落实中央环境保护督察组督察反馈意见整改进展情况的公示",
        ),
        ("方案", "关于方案整改进展情况的公示"),  # never down to nothing
    ],
)
def test_the_report_is_titled_after_the_plan(title, expected):
    assert replace(report(), title=title).document_title == expected


def test_the_report_has_the_totals_then_a_heading_and_a_table_per_problem():
    document = _doc(publicdocs.progress_report_docx(report()))
    texts = _texts(document)
    assert texts[0] == "关于济南市贯彻落实中央环境保护督察反馈意见整改进展情况的公示"
    assert "（一）1. 饮用水水源地保护不力" in texts
    assert "（二）2. 黑臭水体整治滞后" in texts  # no number in the plan: its sequence
    overall = next(t for t in texts if t.startswith("方案共涉及"))
    assert "反馈问题2个、整改任务4项" in overall
    assert "已完成2项（其中已完成、长期坚持1项），达到序时进度1项，滞后0项，逾期1项" in overall
    assert texts[-2:] == ["济南市环境保护督察整改工作领导小组办公室", "2026年12月4日"]
    totals, first, second = document.tables
    assert _cells(totals)[1:] == [
        ["已完成", "1"], ["已完成、长期坚持", "1"], ["达到序时进度", "1"], ["滞后", "0"],
        ["逾期", "1"], ["合计", "4"],
    ]  # fmt: skip
    assert _cells(first)[0] == list(publicdocs.REPORT_HEADERS)
    assert _cells(first)[1:] == [
        ["1", "整改任务1：加强饮用水水源地保护", "水源地水质稳定达标",
         "市生态环境局；配合：历城区政府", "2026年年底", "整改中，完成60%", "达到序时进度"],
        ["2", "整改任务2：加强饮用水水源地保护", "水源地水质稳定达标", "市生态环境局",
         "2026年年底", "已完成整改，2026年3月2日销号", "已完成"],
    ]  # fmt: skip
    # A deadline the plan did not write in words is the due date; a sustained task says so.
    assert [row[4:] for row in _cells(second)[1:]] == [
        ["2025年6月30日", "整改中，完成30%", "逾期"],
        ["立行立改，长期坚持", "已完成整改，长期坚持", "已完成、长期坚持"],
    ]
    assert "小计：整改任务2项，已完成1项，达到序时进度1项，滞后0项，逾期0项。" in texts


def test_a_task_under_notice_says_until_when():
    task = _task(1, status="notice", notice_until=dt.date(2026, 12, 10), progress=100)
    assert task.progress_text == "销号公示中（公示至2026年12月10日），完成100%"


def test_a_report_without_problems_says_so():
    empty = replace(report(), problems=(), totals=_totals())
    assert "暂无公开的整改任务。" in _texts(_doc(publicdocs.progress_report_docx(empty)))


def test_the_notice_has_the_text_the_table_the_period_and_where_to_object():
    data = notice()
    document = _doc(publicdocs.closeout_notice_docx(data))
    texts = _texts(document)
    assert texts[0] == "关于黑臭水体整治滞后整改任务销号情况的公示"
    assert "市城乡水务局牵头负责的“完成小清河流域黑臭水体整治”整改任务" in texts[1]
    assert "公示期为2026年12月4日至2026年12月10日。" in texts
    objection = next(t for t in texts if t.startswith("公示期间"))
    assert data.objection_url in objection and data.office in objection
    assert "联系方式" not in objection  # the office gave none
    (table,) = document.tables
    assert _cells(table) == [
        ["项目", "内容"],
        ["所属方案", "《济南市整改方案》"],
        ["反馈问题", "5. 黑臭水体整治滞后"],
        ["整改任务", "完成小清河流域黑臭水体整治"],
        ["整改目标", "消除黑臭"],
        ["整改措施", "1. 截污纳管\n2. 清淤疏浚"],
        ["牵头责任单位", "市城乡水务局"],
        ["督导单位", "市督导组"],
        ["整改时限", "2026年11月底"],
        ["完成情况", "报送进度100%；2026年12月1日申请销号；2026年12月4日通过初审"],
        ["公示期", "2026年12月4日至2026年12月10日"],
        ["异议渠道", data.objection_url],
    ]
    assert texts[-1] == "2026年12月4日"
    with_contact = replace(data, office_contact="0531-12345")
    assert "联系方式：0531-12345" in "".join(
        _texts(_doc(publicdocs.closeout_notice_docx(with_contact)))
    )


def test_the_same_input_gives_the_same_bytes_and_fixed_core_properties():
    first = publicdocs.progress_report_docx(report())
    assert publicdocs.progress_report_docx(report()) == first
    props = _doc(first).core_properties
    assert props.created.date() == AS_OF == props.modified.date()
    assert props.title.startswith("关于济南市")
    assert publicdocs.closeout_notice_docx(notice()) == publicdocs.closeout_notice_docx(notice())
    later = replace(report(), as_of=dt.date(2026, 12, 11))
    assert publicdocs.progress_report_docx(later) != first


def test_dates_are_written_without_leading_zeros():
    assert cn_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert cn_date(None) == ""


def test_the_report_opens_in_libreoffice():
    assert_renders(
        publicdocs.progress_report_docx(report()),
        ".docx",
        "整改进展情况的公示",
        "（一）1. 饮用水水源地保护不力",
        "整改任务1：加",  # a table cell: the PDF's text breaks lines inside cells
    )


def test_the_notice_opens_in_libreoffice():
    assert_renders(
        publicdocs.closeout_notice_docx(notice()),
        ".docx",
        "整改任务销号情况的公示",
        "完成小清河流域黑臭水体整治",
        "公示期为2026年12月4日至2026年12月10日",
    )
