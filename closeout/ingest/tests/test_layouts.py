"""Plans written here, in other cities' wording and layouts, that the parser never saw."""

from __future__ import annotations

import io

import pytest

from closeout.ingest.fields import classify_label
from closeout.ingest.outline import lines_of, split_enumeration
from closeout.ingest.parse import parse
from closeout.ingest.result import ParseContext

FULL_WIDTH_INLINE = """某某市中央生态环境保护督察反馈意见整改方案
一、整改任务
（一）大气污染防治
１．推进燃煤锅炉淘汰。全面淘汰城区１０蒸吨以下燃煤锅炉。（牵头单位：市生态环境局；配合单位：市市场监管局、市住建局；责任人：市生态环境局、市住建局主要负责人；完成时限：２０２３年６月底前）
２．强化扬尘管控。（牵头单位：市住建局；配合单位：各区县人民政府；完成时限：立行立改，长期坚持）
"""

FIELD_LINES = """某县整改方案篇一
一、饮用水源保护区内违法建筑未清理。
整改目标：保护区内违法建筑全部拆除。
责任单位：甲镇、乙镇党委、政府。
县直督办部门：县水利局。
县直协办督办部门：县自然资源局、县农业农村局。
督导县级领导：分管县水利局副县长。
整改措施：
1.开展全面排查，建立问题清单。
2.依法拆除违法建筑并复绿。
完成期限：2022年第三季度。
二、畜禽养殖污染治理滞后。
整改目标：规模养殖场粪污处理设施配套率达到95%以上。
责任单位：县农业农村局。
整改措施：一是完善设施；二是加强执法。
完成期限：2022年12月31日前。
"""


def test_full_width_inline_fields_with_other_label_names():
    result = parse(FULL_WIDTH_INLINE.encode("gb18030"))
    first, second = result.tasks
    assert [p.name for p in first.lead_units] == ["市生态环境局"]
    assert [p.name for p in first.coop_units] == ["市市场监管局", "市住建局"]
    assert [p.name for p in first.persons] == ["市生态环境局主要负责人", "市住建局主要负责人"]
    assert first.deadline.due is not None and first.deadline.due.isoformat() == "2023-06-30"
    assert first.problem.number == "1" and first.problem.path == (
        "一、整改任务",
        "(一)大气污染防治",
    )
    assert [p.name for p in second.coop_units] == ["各区县人民政府"]
    assert second.coop_units[0].collective
    assert second.deadline.immediate and second.deadline.ongoing
    assert any(f.startswith("missing") is False for f in second.flags) or second.flags == ()


def test_field_per_line_blocks_with_unseen_label_variants():
    result = parse(FIELD_LINES.encode("utf-8"))
    tasks = result.tasks
    assert [t.text[:4] for t in tasks] == ["1.开展", "2.依法", "一是完善", "二是加强"]
    first = tasks[0]
    assert [p.name for p in first.lead_units] == ["甲镇党委", "甲镇政府", "乙镇党委", "乙镇政府"]
    assert [p.name for p in first.supervising_units] == ["县水利局"]
    assert [p.name for p in first.coop_supervising_units] == ["县自然资源局", "县农业农村局"]
    assert [p.name for p in first.supervising_leaders] == ["分管县水利局副县长"]
    assert first.deadline.due is not None and first.deadline.due.isoformat() == "2022-09-30"
    assert first.target == "保护区内违法建筑全部拆除"
    assert tasks[1].lead_units == first.lead_units  # stated once, carried by every measure
    assert tasks[2].problem.number == "二"
    assert tasks[3].deadline.due is not None and tasks[3].deadline.due.isoformat() == "2022-12-31"


def _docx_table_plan() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("某区督察反馈问题整改台账")
    table = document.add_table(rows=3, cols=6)
    rows = [
        ["序号", "存在问题", "整改措施", "责任单位", "责任人", "整改时限"],
        [
            "1",
            "河道垃圾清理不及时",
            "建立河道保洁长效机制",
            "区水务局、区城管局",
            "区水务局局长",
            "2021年12月底",
        ],
        ["2", "工地扬尘", "安装在线监测设备", "区住建局", "", "立即整改"],
    ]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_word_table_rows_become_tasks_with_their_columns():
    result = parse(_docx_table_plan(), ParseContext(name="ledger.docx"))
    first, second = result.tasks
    assert first.layout == "table" and first.problem.number == "1"
    assert first.problem.title == "河道垃圾清理不及时"
    assert [p.name for p in first.lead_units] == ["区水务局", "区城管局"]
    assert [p.name for p in first.persons] == ["区水务局局长"]
    assert first.deadline.due is not None and first.deadline.due.isoformat() == "2021-12-31"
    assert second.deadline.immediate
    assert result.text[first.span[0] : first.span[1]].startswith("1\t河道")


HTML_TABLE = """<html><body><div class="nav">首页 > 信息公开</div>
<h1>某市整改清单</h1>
<table><tr><th>序号</th><th>反馈问题</th><th>整改目标</th><th>整改措施</th><th>牵头单位</th><th>配合单位</th><th>完成时限</th></tr>
<tr><td>1</td><td>污水管网不配套</td><td>管网全覆盖</td><td>新建管网20公里</td><td>市城管局</td><td>各县区人民政府</td><td>2024年底</td></tr>
</table><div class="footer">版权所有</div></body></html>"""


def test_html_table_is_read_through_the_header_vocabulary():
    result = parse(HTML_TABLE.encode("utf-8"), ParseContext(name="page.html"))
    (task,) = result.tasks
    assert task.text == "新建管网20公里" and task.target == "管网全覆盖"
    assert [p.name for p in task.lead_units] == ["市城管局"]
    assert task.coop_units[0].collective
    assert task.deadline.due is not None and task.deadline.due.isoformat() == "2024-12-31"


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("责任单位", "lead_units"), ("牵头单位", "lead_units"), ("主体责任单位", "lead_units"),
        ("配合单位", "coop_units"), ("责任领导", "persons"), ("责任人", "persons"),
        ("市直牵头督导单位", "supervising_units"), ("市直牵头督导部门", "supervising_units"),
        ("督导单位", "supervising_units"), ("市直配合督导单位", "coop_supervising_units"),
        ("牵头督导市级领导", "supervising_leaders"), ("完成时限", "deadline"),
        ("整改时限", "deadline"), ("整改目标", "target"), ("整改措施", "measures"),
        ("反馈问题", "problem"), ("问题二", "problem"), ("问题12", "problem"),
        ("问题(三)", "problem"), ("问题是", None), ("活动时间", None), ("办公室", None),
        ("指导思想", None),
    ],
)  # fmt: skip
def test_labels_are_read_as_a_vocabulary(label, field):
    assert classify_label(label) == field


def test_outline_levels_and_heading_with_content():
    lines = lines_of("一、总体要求\n(一)目标\n1.坚决扛起责任。提高站位。\n(1)细则\n①小项\n方案篇二")
    kinds = [(line.kind, line.level) for line in lines]
    assert kinds == [("heading", 1), ("heading", 2), ("heading", 3), ("heading", 4),
                     ("heading", 5), ("separator", 0)]  # fmt: skip
    assert lines[2].title == "坚决扛起责任" and lines[2].body == "提高站位。"


def test_numbers_that_are_not_markers_are_text():
    lines = lines_of("2021年底前完成。\n2.5万吨的产能\n1.")
    assert [line.kind for line in lines] == ["text", "text", "text"]


def test_enumeration_splits_a_passage():
    pieces = [p for _, p in split_enumeration("一是完善设施;二是加强执法;三是公开信息。")]
    assert pieces == ["一是完善设施;", "二是加强执法;", "三是公开信息。"]


@pytest.mark.parametrize(
    "lines",
    [
        ("牵头单位:县住建局", "配合单位:县水利局", "责任单位:甲镇、乙镇人民政府"),
        ("牵头单位：县住建局", "责任单位：甲镇、乙镇人民政府", "配合单位：县水利局"),
    ],
)
def test_after_the_lead_line_responsible_and_cooperating_lines_all_cooperate(lines):
    text = "\n".join(
        ["某县任务分工方案", "1.推进县城污水管网建设。", *lines, "完成时限:2024年底前",
         "2.开展入河排污口排查。", "牵头单位:县生态环境局"]
    )  # fmt: skip
    first, second = parse(text.encode("gb18030")).tasks
    assert [p.name for p in first.lead_units] == ["县住建局"]
    assert sorted(p.name for p in first.coop_units) == ["乙镇人民政府", "县水利局", "甲镇人民政府"]
    assert first.deadline.due is not None and first.deadline.due.isoformat() == "2024-12-31"
    assert [p.name for p in second.lead_units] == ["县生态环境局"] and not second.coop_units
