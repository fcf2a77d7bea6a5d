"""Single-task documents (layout family 7): acceptance and close-out notices, written here
in the wording counties and cities publish them in."""

from __future__ import annotations

import io

import pytest

from closeout.ingest.parse import parse
from closeout.ingest.result import ParseContext, ParseResult, to_json


def _names(parties) -> list[str]:
    return [p.name for p in parties]


def _parse(text: str, name: str = "notice.txt", encoding: str = "utf-8") -> ParseResult:
    return parse(text.encode(encoding), ParseContext(name=name))


LINES = """关于中央第二生态环境保护督察组交办问题整改验收销号情况的公示

根据《湖南省生态环境保护督察整改销号管理办法》要求,现将我县完成整改并通过验收的问题公示如下:
整改任务:浏阳河沿岸畜禽养殖场粪污直排问题
整改目标:2023年12月底前,沿岸养殖场粪污处理设施配套率达到100%,浏阳河断面水质稳定达到Ⅲ类。
整改责任单位:县农业农村局、县生态环境分局,沿河各镇人民政府
验收销号单位:长沙市生态环境局浏阳分局
整改时限:2023年12月底前
整改措施:
1.对沿岸32家养殖场逐一排查,建立问题清单;
2.关停禁养区内养殖场5家,其余全部配套粪污处理设施;
3.建立日常巡查和季度监测制度。
完成情况:已完成。32家养殖场全部完成整改,2024年1月至3月浏阳河断面水质均达到Ⅲ类。
公示时间:2024年4月10日至4月16日。
联系电话:0731-83612345
浏阳市生态环境保护督察整改工作领导小组办公室
2024年4月10日
"""


def test_an_acceptance_notice_in_label_lines_is_one_task():
    result = _parse(LINES)
    (task,) = result.tasks
    assert task.layout == "single" and result.documents[0].layout == "single"
    assert task.text == "浏阳河沿岸畜禽养殖场粪污直排问题"
    assert task.target is not None and task.target.startswith("2023年12月底前")
    assert _names(task.lead_units) == ["县农业农村局", "县生态环境分局", "沿河各镇人民政府"]
    assert _names(task.verifying_units) == ["长沙市生态环境局浏阳分局"]
    assert task.deadline.due is not None and task.deadline.due.isoformat() == "2023-12-31"
    assert [m[:4] for m in task.measures] == ["1.对沿", "2.关停", "3.建立"]
    assert task.completion is not None and task.completion.startswith("已完成。32家")
    assert task.completion.endswith("均达到III类。")  # the notice's furniture is left out
    assert result.text[task.span[0] : task.span[1]].startswith("浏阳河沿岸")


def test_the_notice_s_completion_and_verifying_unit_reach_the_json():
    (task,) = to_json(_parse(LINES))["tasks"]  # type: ignore[misc]
    assert task["verifying_units"] == ["长沙市生态环境局浏阳分局"]
    assert task["completion"].startswith("已完成")
    assert task["layout"] == "single"


def test_full_width_punctuation_and_traditional_characters_read_the_same():
    import opencc

    traditional = opencc.OpenCC("s2t.json").convert(LINES).replace(":", ":")
    (task,) = _parse(traditional).tasks
    (plain,) = _parse(LINES).tasks
    assert _names(task.verifying_units) == _names(plain.verifying_units)
    assert _names(task.lead_units) == _names(plain.lead_units)
    assert task.deadline.due == plain.deadline.due
    assert len(task.measures) == 3


HEADINGS = """衡阳市整改结果公示
一、问题
耒水沿线非法采砂屡禁不止。
二、整改目标
非法采砂行为全面停止,河道生态逐步恢复。
三、整改责任单位
衡阳市水利局
四、整改措施
一是开展联合执法,取缔非法采砂点12处;二是对受损河段实施生态修复。
五、整改完成情况
已完成整改,经市级验收合格。
"""


def test_a_notice_whose_labels_are_headings_is_one_task():
    (task,) = _parse(HEADINGS).tasks
    assert task.text == "耒水沿线非法采砂屡禁不止。" and task.problem.title == task.text
    assert _names(task.lead_units) == ["衡阳市水利局"]
    assert [m[:2] for m in task.measures] == ["一是", "二是"]
    assert task.completion == "已完成整改,经市级验收合格。"
    assert task.verifying_units == ()
    assert any(f.startswith("missing_deadline") for f in task.flags)  # none given, none guessed


def _form_docx(rows: list[list[str]]) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("嘉禾县督察交办问题整改完成情况公示")
    document.add_paragraph("现将整改完成情况公示如下:")
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.add_paragraph("嘉禾县生态环境保护委员会办公室")
    document.add_paragraph("2024年5月8日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


FORM = [
    ["问题编号", "D4300000202307150023"],
    ["反映问题", "县城某砖厂粉尘污染严重"],
    ["整改目标", "粉尘排放稳定达标"],
    ["整改责任单位", "县工业和信息化局"],
    ["验收销号单位", "郴州市生态环境局嘉禾分局"],
    ["整改措施", "1.砖厂停产整治\n2.安装布袋除尘设施"],
    ["整改时限", "2023年10月31日"],
    ["完成情况", "已完成,监测达标"],
]


def test_a_notice_laid_out_as_a_two_column_form_is_one_task():
    result = parse(_form_docx(FORM), ParseContext(name="form.docx"))
    (task,) = result.tasks
    assert task.text == "县城某砖厂粉尘污染严重"
    assert task.problem.number == "D4300000202307150023"
    assert _names(task.lead_units) == ["县工业和信息化局"]
    assert _names(task.verifying_units) == ["郴州市生态环境局嘉禾分局"]
    assert task.measures == ("1.砖厂停产整治", "2.安装布袋除尘设施")
    assert task.deadline.due is not None and task.deadline.due.isoformat() == "2023-10-31"
    assert task.completion == "已完成,监测达标"
    assert not [w for w in result.warnings if "header" in w]


def test_a_four_column_form_pairs_each_label_with_the_cell_after_it():
    rows = [
        ["整改任务", "城区建筑工地扬尘管控不到位", "", ""],
        ["整改责任单位", "区住房和城乡建设局", "验收销号单位", "区生态环境分局"],
        ["整改时限", "立行立改", "完成情况", "已完成"],
        ["整改措施", "安装喷淋设施,开展夜间巡查", "", ""],
    ]
    (task,) = parse(_form_docx(rows), ParseContext(name="f.docx")).tasks
    assert task.text == "城区建筑工地扬尘管控不到位"
    assert _names(task.lead_units) == ["区住房和城乡建设局"]
    assert _names(task.verifying_units) == ["区生态环境分局"]
    assert task.deadline.immediate and task.completion == "已完成"


MANY = """岳阳市第二批督察反馈问题整改验收销号公示
问题:东洞庭湖保护区内违规建设矮围
整改措施:拆除矮围并恢复湿地
整改责任单位:岳阳县人民政府
验收销号单位:岳阳市林业局
完成情况:已拆除
问题:华容河入河排污口未整治
整改措施:完成排污口溯源和规范化整治
整改责任单位:华容县人民政府
验收销号单位:岳阳市生态环境局
完成情况:已完成整治
"""


def test_a_notice_of_several_close_outs_gives_one_task_per_group():
    tasks = _parse(MANY).tasks
    assert [t.text for t in tasks] == ["东洞庭湖保护区内违规建设矮围", "华容河入河排污口未整治"]
    assert [_names(t.verifying_units) for t in tasks] == [["岳阳市林业局"], ["岳阳市生态环境局"]]
    assert [t.completion for t in tasks] == ["已拆除", "已完成整治"]
    assert tasks[1].measures == ("完成排污口溯源和规范化整治",)


@pytest.mark.parametrize(
    "text",
    [
        # A plan with one problem in field lines reports no completion: a plan, not a notice.
        "某县整改方案\n一、河道垃圾\n整改目标:河道洁净\n责任单位:县水利局\n"
        "整改措施:1.清理垃圾;2.建立保洁机制\n完成时限:2024年底\n",
    ],
)
def test_a_plan_with_fields_is_not_taken_for_a_notice(text):
    result = _parse(text, "plan.txt")
    assert all(t.layout != "single" for t in result.tasks)
    assert result.tasks and result.documents[0].layout == "block"


SECTIONS = """黄石市督察反馈问题整改销号公示
一、问题基本情况
磁湖周边部分排口雨天溢流。
二、整改情况
整改任务:磁湖周边排口溢流问题整改。
整改责任单位:下陆区人民政府;配合单位:市水利和湖泊局、市生态环境局。
整改措施:
(一)新建调蓄池2座;
(二)实施雨污分流改造。
完成情况:已完成调蓄池建设。
验收销号单位:黄石市生态环境局
三、公示期限
2022年6月1日至6月7日。
"""


def test_labels_under_a_section_heading_several_on_a_line_and_a_closing_section():
    (task,) = _parse(SECTIONS).tasks
    assert task.text == "磁湖周边排口溢流问题整改。"
    assert _names(task.lead_units) == ["下陆区人民政府"]
    assert _names(task.coop_units) == ["市水利和湖泊局", "市生态环境局"]
    assert task.measures == ("(一)新建调蓄池2座;", "(二)实施雨污分流改造。")
    assert task.completion == "已完成调蓄池建设。"  # "二、整改情况" heads the parts
    # The verifying unit also stands as the task's supervising unit; 公示期限 is not its.
    assert _names(task.verifying_units) == _names(task.supervising_units) == ["黄石市生态环境局"]


def test_a_heading_label_keeps_the_sub_items_below_it():
    text = (
        "某区整改结果公示\n一、整改任务\n河道清淤\n二、整改措施\n(一)清淤5公里\n"
        "(二)建设生态护岸\n三、完成情况\n已完成\n"
    )
    (task,) = _parse(text).tasks
    assert task.measures == ("(一)清淤5公里", "(二)建设生态护岸")
    assert task.completion == "已完成"
