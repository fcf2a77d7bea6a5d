"""Standing clauses (统一责任条款): a unit named once for every later task."""

from __future__ import annotations

import pytest

from closeout.ingest.normalise import normalise
from closeout.ingest.parse import parse
from closeout.ingest.standing import standing_clauses


def found(text: str) -> list[tuple[str, str]]:
    return [(c.field, c.value) for c in standing_clauses(normalise(text).text)]


CLAUSES = [
    ("以下各项工作均需各县(区)人民政府落实,不再列出。", [("lead_units", "各县(区)人民政府")]),
    ("以下任务涉及各区的，均由各区政府负责落实。", [("lead_units", "各区政府")]),
    ("下列各项任务,各县区人民政府为责任主体。", [("lead_units", "各县区人民政府")]),
    (
        "各区人民政府为各项整改任务的责任主体，以下不再一一列出。",
        [("lead_units", "各区人民政府")],
    ),
    (
        "以下整改任务均由各旗区人民政府负责组织实施,不再逐项列出。",
        [("lead_units", "各旗区人民政府")],
    ),
    (
        "以下整改任务均由市委督查室、市政府督查室跟踪督办。",
        [("supervising_units", "市委督查室、市政府督查室")],
    ),
    # 是/为/作为 … 落实主体/责任主体/实施主体, 以下不再(一一)列出 / 不再重复.
    (
        "各县市人民政府、湘西高新区管委会是各项整改任务的落实主体，以下不再列出。",
        [("lead_units", "各县市人民政府、湘西高新区管委会")],
    ),
    (
        "说明:问题编号沿用省清单编号。各旗(市、区)人民政府是各项任务的实施主体,不再重复列出。",
        [("lead_units", "各旗(市、区)人民政府")],
    ),
    (
        "各县(市、区)人民政府作为整改任务的第一责任主体,以下不再一一列出。",
        [("lead_units", "各县(市、区)人民政府")],
    ),
    ("各區政府為所有整改任務的落實主體，以下不另列出。", [("lead_units", "各区政府")]),
    ("以下各项任务的落实主体均为各县(市)人民政府。", [("lead_units", "各县(市)人民政府")]),
    (
        "各项整改任务均由各县区人民政府、经开区管委会负责落实,不再重复列出。",
        [("lead_units", "各县区人民政府、经开区管委会")],
    ),
    # Not standing clauses.
    ("市生态环境局是该项任务的责任主体。", []),
    ("各项整改任务均由各县区人民政府负责落实。", []),
    ("以下是2023年工作完成情况。", []),
    ("各县区要按照以下要求抓好落实。", []),
    ("下列问题由于历史原因,整改难度较大。", []),
]


@pytest.mark.parametrize(("text", "expected"), CLAUSES)
def test_standing_clauses_name_their_unit_and_role(text, expected):
    assert found(text) == expected


PLAN = """某某市第二轮中央生态环境保护督察反馈问题整改方案
一、总体要求
坚持立行立改，到2025年底前全部完成整改。
二、整改任务
1.推进燃煤锅炉淘汰(市生态环境局牵头)。
以下各项工作均需各县(区)人民政府落实,不再列出。
2.加强工地扬尘管控(市住房城乡建设局牵头,市城管局配合)。
3.开展秸秆禁烧巡查(市农业农村局、各县(区)人民政府负责)。
"""


def test_a_standing_unit_joins_every_later_task_and_is_flagged():
    result = parse(PLAN.encode("utf-8"))
    first, second, third = result.tasks
    assert [p.name for p in first.lead_units] == ["市生态环境局"]  # before the clause
    assert not any(f.startswith("standing_units") for f in first.flags)
    assert [p.name for p in second.lead_units] == ["市住房城乡建设局", "各县(区)人民政府"]
    assert [p.name for p in second.coop_units] == ["市城管局"]
    at = result.text.index("以下各项工作")
    assert f"standing_units: 各县(区)人民政府 (from the clause at offset {at})" in second.flags
    # A unit the task names itself appears once.
    assert [p.name for p in third.lead_units] == ["市农业农村局", "各县(区)人民政府"]
    assert len(result.tasks) == 3  # the clause is no task of its own


def test_a_standing_clause_applies_within_its_document_only():
    text = (
        "方案篇一\n以下各项任务均由各区政府负责落实。\n1.甲(市水务局负责)\n"
        "方案篇二\n1.乙(市水务局负责)\n"
    )
    tasks = parse(text.encode("utf-8")).tasks
    assert [p.name for p in tasks[0].lead_units] == ["市水务局", "各区政府"]
    assert [p.name for p in tasks[1].lead_units] == ["市水务局"]
