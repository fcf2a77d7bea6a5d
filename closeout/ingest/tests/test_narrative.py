"""Narrative plans (layout d): numbered measures with no field lines, written here."""

from __future__ import annotations

import pytest

from closeout.ingest.parse import parse

PLAN = """某市贯彻落实省生态环境保护督察反馈意见整改方案
一、指导思想
坚持问题导向,扎实推进整改。
二、主要措施
(一)强化责任落实
统筹推进各项整改工作,形成整改合力。
1.压实生态环境保护责任
各区政府负责组织排查本辖区突出环境问题,建立问题清单。
督促企业落实污染防治主体责任,如实申报固体废物产生情况。
2.加强水污染防治
以区级党委、政府为责任主体,推进农村生活污水治理设施建设。
市委、市政府主要负责同志担任总河长,作为全市水质达标工作第一责任人。
(二)强化固废监管
加强固体废物全过程监管,形成部门监管合力。
3.提升处置能力
加快危险废物处置中心建设,2024年底前建成投运。
(三)加强执法监管
开展生态环境部门与公安机关联合执法检查。
5.严厉打击环境违法行为
持续开展打击固体废物非法倾倒专项执法行动。
某市人民政府
2024年3月1日
"""


def _tasks():
    return parse(PLAN.encode("utf-8")).tasks


def test_a_heading_alone_is_the_problem_and_each_paragraph_under_it_a_task():
    tasks = _tasks()
    assert [t.text[:4] for t in tasks] == [
        "各区政府", "督促企业", "以区级党", "市委、市", "加快危险", "开展生态", "持续开展",
    ]  # fmt: skip
    first, second = tasks[0], tasks[1]
    assert (first.problem.number, first.problem.title) == ("1", "压实生态环境保护责任")
    assert (second.problem.number, second.problem.title) == ("1", "压实生态环境保护责任")
    assert second.text.startswith("督促企业") and "各区政府" not in second.text


def test_a_section_description_is_no_task_unless_the_numbering_shows_a_lost_number():
    tasks = _tasks()
    texts = [t.text for t in tasks]
    # Items 1 and 3 follow on from the numbering: the text above them describes the section.
    assert not any(t.startswith(("统筹推进各项", "加强固体废物全过程")) for t in texts)
    # Item 5 follows item 3: the text above it is item 4, its number lost.
    lost = next(t for t in tasks if t.text.startswith("开展生态环境部门"))
    assert any(f.startswith("number_missing") for f in lost.flags)


def test_units_and_persons_come_from_the_measures_own_sentences():
    tasks = _tasks()
    assert [p.name for p in tasks[0].lead_units] == ["各区政府"]
    assert tasks[0].lead_units[0].collective
    assert tasks[1].lead_units == ()  # 主体责任 of the enterprises: the object, not the unit
    assert any(f.startswith("missing_lead_units") for f in tasks[1].flags)
    assert [p.name for p in tasks[2].lead_units] == ["区级党委、政府"]
    assert [p.name for p in tasks[3].persons] == ["市委主要负责同志", "市政府主要负责同志"]
    assert tasks[3].lead_units == ()


def test_narrative_implementing_units_lead_too():
    text = "二、主要措施\n1.整治黑臭水体\n各区人民政府负责落实黑臭水体整治,完成截污纳管。\n"
    (task,) = parse(text.encode("utf-8")).tasks
    assert [p.name for p in task.lead_units] == ["各区人民政府"]
    assert any(f.startswith("implementing_units") for f in task.flags)


def test_a_short_line_after_the_last_measure_joins_it_and_gives_no_deadline():
    last = _tasks()[-1]
    assert last.text.endswith("某市人民政府\n2024年3月1日")
    assert last.deadline.due is None and last.deadline.ongoing
    dated = next(t for t in _tasks() if t.text.startswith("加快危险废物"))
    assert dated.deadline.due is not None and dated.deadline.due.isoformat() == "2024-12-31"


NARRATIVE_UNIT_CASES = [
    ("各区政府负责组织排查突出环境问题。", ["各区政府"]),
    ("由市城管局负责清运建筑垃圾。", ["市城管局"]),
    ("这项工作由城建办负责跟进,各有关村(居)配合。", ["城建办"]),
    ("此项任务由县水利局负责,2024年底前完成。", ["县水利局"]),
    ("上述工作由镇综治办负责督促。", ["镇综治办"]),
    ("统筹推进。一、二级网格责任主体或相关责任部门负责执法。", []),  # levels 1 and 2: no unit 一
    ("督促企业落实污染防治主体责任。", []),
]


@pytest.mark.parametrize(("sentence", "units"), NARRATIVE_UNIT_CASES)
def test_a_narrative_sentence_names_the_unit_it_gives_the_work_to(sentence, units):
    text = f"二、主要措施\n1.整治环境问题\n{sentence}\n"
    (task,) = parse(text.encode("utf-8")).tasks
    assert [p.name for p in task.lead_units] == units


def test_an_item_whose_first_line_runs_on_in_clauses_is_a_measure_not_a_heading():
    text = (
        "二、主要活动\n"
        "(一)9月,街道计划联合各社区开展节能减排宣传,发动公众广泛参与,组织机关干部上街宣传。\n"
        "为巩固宣传成果,街道计划评选出一批绿色家庭,并予以表彰奖励。\n"
        "(二)统筹做好中央环保督察、省环保督察整改工作\n"
        "结合本方案一体推进落实各项整改任务,确保问题整改到位。\n"
    )
    tasks = parse(text.encode("utf-8")).tasks
    assert [t.text[:6] for t in tasks] == ["(一)9月,", "结合本方案一"]
    assert "为巩固宣传成果" in tasks[0].text  # the line under it continues the measure
    assert tasks[1].problem.title == "统筹做好中央环保督察、省环保督察整改工作"
