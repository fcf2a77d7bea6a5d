"""An office's Excel ledger (台账) read as a plan (ingest.ledgerbook): header rows under a
title, two-row headers, columns in any order, merged problems, several sheets, the
progress columns kept for the first reports, every task's span on its row."""

from __future__ import annotations

import itertools
import subprocess
import tempfile
from pathlib import Path

import pytest

from closeout.documents.pdf import soffice
from closeout.ingest import ParseContext, ReadError, parse, parse_isolated, to_json
from closeout.ingest.convert import NO_CONVERTER
from closeout.ingest.ledgerbook import cell_text, percent_of, workbook_format
from closeout.ingest.result import Progress
from closeout.ingest.tests.ledgerbooks import TITLE, ledger_workbook, plain_workbook

CONTEXT = ParseContext(name="台账.xlsx")


@pytest.fixture(scope="module")
def ledger():
    return parse(ledger_workbook(), CONTEXT)


# seq: problem (number, title, path), text, target, lead, coop, supervising, persons,
# deadline (due, immediate), progress (sheet, row, text, percent, completion)
EXPECTED = {
    1: (("1", "城区燃煤锅炉污染突出", ("大气", "一、大气污染防治")), "全面淘汰城区燃煤小锅炉",
        "燃煤锅炉全部清零", ["市环保局"], ["市公安局"], ["市整改工作领导小组办公室"],
        ["市环保局主要负责人"], ("2019-12-31", False),
        Progress("大气", 6, "已淘汰锅炉120台", None, "推进中")),
    2: (("1", "城区燃煤锅炉污染突出", ("大气", "一、大气污染防治")), "开展锅炉执法检查",
        "燃煤锅炉全部清零", ["市公安局"], [], ["市整改工作领导小组办公室"], [],
        (None, True), Progress("大气", 7, "检查企业35家", None, "已完成")),
    3: (("2", "水源地违法建筑未清理", ("大气", "一、大气污染防治")),
        "清理饮用水水源保护区内违法建筑", "违法建筑全部拆除", ["市城乡水务局"],
        ["市国土资源局"], [], [], ("2020-06-30", False),
        Progress("大气", 8, None, None, "已销号")),
    4: ((None, "黑臭水体整治滞后", ("水",)), "完成小清河截污纳管", None, ["市城乡水务局"], [],
        [], [], ("2020-12-31", False), Progress("水", 2, "管网已铺设8公里", 60, None)),
}  # fmt: skip


@pytest.mark.parametrize("seq", sorted(EXPECTED))
def test_each_ledger_row_becomes_its_task(ledger, seq):
    problem, text, target, lead, coop, supervising, persons, deadline, progress = EXPECTED[seq]
    task = ledger.tasks[seq - 1]
    assert task.seq == seq
    assert (task.problem.number, task.problem.title, task.problem.path) == problem
    assert (task.text, task.target) == (text, target)
    assert [p.name for p in task.lead_units] == lead
    assert [p.name for p in task.coop_units] == coop
    assert [p.name for p in task.supervising_units] == supervising
    assert [p.name for p in task.persons] == persons
    due = task.deadline.due.isoformat() if task.deadline.due else None
    assert (due, task.deadline.immediate) == deadline
    assert task.progress == progress
    assert task.layout == "ledger" and task.duplicate_of is None


def test_the_ledger_has_a_document_per_ledger_sheet_titled_by_its_title_row(ledger):
    assert len(ledger.tasks) == 4
    first, second = ledger.documents
    assert (first.title, first.issuer, first.date.isoformat()) == (TITLE, "市整改办", "2019-03-01")
    assert second.title is None
    assert [t.document for t in ledger.tasks] == [0, 0, 0, 1]
    assert ledger.format == "xlsx"


def test_every_span_is_its_rows_line_naming_sheet_and_row(ledger):
    for task in ledger.tasks:
        line = ledger.text[task.span[0] : task.span[1]]
        assert line.startswith(f"{task.progress.sheet} 第{task.progress.row}行: ")
        assert task.text in line and "\n" not in line
    heading = ledger.text.index("大气 第5行: 一、大气污染防治\n")
    assert heading > ledger.text.index(TITLE)


def test_sheets_and_columns_not_read_are_named_in_the_warnings(ledger):
    assert "sheet 填表说明: no ledger header; not read" in ledger.warnings
    assert "sheet 水 column G (备注): unknown header; not read" in ledger.warnings


def test_the_json_carries_the_progress_and_keeps_the_contract(ledger):
    out = to_json(ledger)
    task = out["tasks"][3]
    assert task["progress"] == {"sheet": "水", "row": 2, "text": "管网已铺设8公里",
                                "percent": 60, "completion": None, "closeout": None}  # fmt: skip
    assert task["span"] == list(ledger.tasks[3].span)
    assert out["source"] == {"name": "台账.xlsx", "format": "xlsx", "encoding": None}


WATER = ["问题", "整改措施", "牵头单位", "配合单位", "整改时限", "整改进展", "完成情况"]
WATER_ROW = ["黑臭水体整治滞后", "完成截污纳管", "市城乡水务局", "市环保局", "2020年底", "已铺设",
             "推进中"]  # fmt: skip


def _fields(result):
    return [
        (t.problem.title, t.text, [p.name for p in t.lead_units], [p.name for p in t.coop_units],
         t.deadline.due, t.progress.text, t.progress.completion)
        for t in result.tasks
    ]  # fmt: skip


@pytest.mark.parametrize("order", list(itertools.permutations(range(7)))[::720])
def test_reordering_the_columns_does_not_change_the_tasks(order):
    base = parse(plain_workbook(("水", [WATER, WATER_ROW])), CONTEXT)
    header = [WATER[i] for i in order]
    row = [WATER_ROW[i] for i in order]
    moved = parse(plain_workbook(("水", [["某县整改台账"], header, row])), CONTEXT)
    assert _fields(moved) == _fields(base)


def test_a_problem_row_heads_the_measure_rows_under_it():
    rows = [
        ["序号", "问题", "整改措施", "责任单位", "整改时限"],
        ["1", "秸秆露天焚烧屡禁不止", None, None, None],
        ["1.1", None, "划定禁烧区", "市农业局", "2019年10月"],
        ["1.2", None, "开展巡查", "市环保局", "长期坚持"],
        ["2", "矿山修复滞后", "完成矿山修复", "市国土资源局", "2020年底"],
    ]
    result = parse(plain_workbook(("台账", rows)), CONTEXT)
    assert [(t.problem.number, t.problem.title, t.text) for t in result.tasks] == [
        ("1", "秸秆露天焚烧屡禁不止", "划定禁烧区"),
        ("1", "秸秆露天焚烧屡禁不止", "开展巡查"),
        ("2", "矿山修复滞后", "完成矿山修复"),  # one 序号 over all its rows numbers it
    ]
    assert result.tasks[1].deadline.ongoing


def test_missing_units_and_deadlines_are_flagged_never_inherited():
    rows = [
        ["问题", "整改措施", "责任单位", "整改时限", "进度(%)"],
        ["扬尘污染", "道路洒水", "市城管局", "2019年底", "六成"],
        [None, "工地围挡", None, None, None],
    ]
    first, second = parse(plain_workbook(("台账", rows)), CONTEXT).tasks
    assert second.problem.title == "扬尘污染"
    assert second.lead_units == () and second.deadline.due is None
    codes = [f.partition(":")[0] for f in second.flags]
    assert codes == ["missing_lead_units", "missing_deadline"]
    assert "percent_unread" in [f.partition(":")[0] for f in first.flags]
    assert first.progress is None  # an unread percentage alone says nothing


def test_a_task_on_the_sheets_of_two_units_is_imported_once():
    header = ["问题", "整改措施", "牵头单位", "整改时限"]
    row = ["油烟扰民", "安装油烟净化设施", "市环保局、市城管局", "2019年底"]
    result = parse(plain_workbook(("市环保局", [header, row]), ("市城管局", [header, row])),
                   CONTEXT)  # fmt: skip
    assert [t.duplicate_of for t in result.tasks] == [None, 1]
    assert result.tasks[1].flags[-1].startswith("duplicate: repeats task 1")


def test_a_workbook_without_ledger_headers_is_refused_naming_its_sheets():
    data = plain_workbook(("Sheet1", [["姓名", "电话"], ["张三", "123"]]), ("说明", [["无"]]))
    with pytest.raises(ReadError) as caught:
        parse(data, CONTEXT)
    assert caught.value.name == "台账.xlsx"
    assert "no sheet has the ledger's headers" in caught.value.reason
    assert "Sheet1" in caught.value.reason and "说明" in caught.value.reason


def test_a_summary_sheet_without_problems_or_measures_is_not_a_ledger():
    data = plain_workbook(("汇总", [["序号", "责任单位", "完成情况"], [1, "市环保局", "已完成"]]))
    with pytest.raises(ReadError, match=r"no sheet has a 问题 or 整改措施 column.*汇总"):
        parse(data, CONTEXT)


def test_a_damaged_workbook_is_refused_with_its_name():
    with pytest.raises(ReadError, match=r"^台账.xlsx: not an Excel workbook"):
        parse(b"PK\x03\x04 not really a zip", CONTEXT)


def test_an_old_xls_without_libreoffice_says_what_to_do(monkeypatch):
    monkeypatch.setenv("CLOSEOUT_SOFFICE", "/nonexistent/soffice")
    with pytest.raises(ReadError) as caught:
        parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), ParseContext(name="台账.xls"))
    assert caught.value.code == NO_CONVERTER
    assert "save it as .xlsx" in caught.value.reason


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_an_old_xls_ledger_is_read_through_libreoffice():
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "ledger.xlsx"
        source.write_bytes(ledger_workbook())
        subprocess.run(
            [soffice(), f"-env:UserInstallation={(Path(work) / 'p').as_uri()}", "--headless",
             "--convert-to", "xls", "--outdir", work, str(source)],
            check=True, capture_output=True, timeout=120, env={"HOME": work, "PATH": "/usr/bin"},
        )  # fmt: skip
        data = (Path(work) / "ledger.xls").read_bytes()
    result = parse(data, ParseContext(name="台账.xls"))
    assert [t.text for t in result.tasks] == [EXPECTED[s][1] for s in sorted(EXPECTED)]


def test_a_path_and_an_isolated_parse_read_the_ledger_alike(tmp_path, ledger):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger_workbook())
    assert to_json(parse(path)) | {"source": None} == to_json(ledger) | {"source": None}
    isolated = parse_isolated(ledger_workbook(), CONTEXT)
    assert to_json(isolated) == to_json(ledger)


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [("台账.xlsx", None, "xlsx"), ("LEDGER.XLSX", None, "xlsx"), ("a.xls", None, "xls"),
     ("a.et", None, "et"), ("plan.docx", None, None), ("<bytes>", "xlsx", "xlsx"),
     ("a.xlsx", "docx", None)],
)  # fmt: skip
def test_a_workbook_is_known_by_its_format_or_name(name, fmt, expected):
    assert workbook_format(name, fmt) == expected


@pytest.mark.parametrize(
    ("value", "text", "percent"),
    [(60, "60", 60), (60.0, "60", 60), ("60%", "60%", 60), ("６０％", "６０％", 60),
     (100.5, "100.5", None), (120, "120", None), ("六成", "六成", None), (None, None, None)],
)  # fmt: skip
def test_cells_read_as_text_and_percentages(value, text, percent):
    assert cell_text(value) == text
    assert percent_of(value) == percent


@pytest.mark.parametrize("value", ["—", "——", "-", "－", "/", "／", "无", "暂无", " — "])
def test_a_dash_slash_or_none_cell_of_a_ledger_is_empty(value):
    assert cell_text(value) is None


@pytest.mark.parametrize("value", ["市生态环境局", "2024-06-30", "—市局", "无锡市"])
def test_a_cell_with_words_beside_a_dash_keeps_them(value):
    assert cell_text(value) == value
