"""A staged deadline's milestones (rules.stages): dates in order, titles from the stages'
clauses, the expected progress spread evenly or as the clauses state it, and the last on
the due date at 100%, as the schedule rule reads milestones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from closeout.ledger.rules import schedule
from closeout.ledger.rules.stages import TITLE_MAX, staged_milestones, stated_percent

D = dt.date


def _stage(due: str, clause: str = "") -> dict[str, object]:
    return {"due": due, "phrase": f"{due}前", "clause": clause, "span": None}


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        pytest.param([], [], id="no stages"),
        pytest.param([_stage("2024-12-31", "完成")], [], id="one date is just the deadline"),
        pytest.param(
            [_stage("2024-06-30", "完成排查溯源"), _stage("2025-06-30", "完成整治")],
            [("完成排查溯源", D(2024, 6, 30), 50), ("完成整治", D(2025, 6, 30), 100)],
            id="two stages: half, then all",
        ),
        pytest.param(
            [_stage("2024-08-31", "完成方案编制"), _stage("2024-12-31", "完成主体工程建设"),
             _stage("2025-12-31", "出水稳定达到一级A标准")],
            [("完成方案编制", D(2024, 8, 31), 33), ("完成主体工程建设", D(2024, 12, 31), 66),
             ("出水稳定达到一级A标准", D(2025, 12, 31), 100)],
            id="three stages: thirds rounded down",
        ),
        pytest.param(
            [_stage("2023-12-31", "完成30%的国家监管清单水体治理"),
             _stage("2025-12-31", "完成40%以上")],
            [("完成30%的国家监管清单水体治理", D(2023, 12, 31), 30),
             ("完成40%以上", D(2025, 12, 31), 100)],
            id="a stated share is taken; the last stage is the due date",
        ),
        pytest.param(
            [_stage("2022-12-31", "完成养殖尾水排放口规范整治"),
             _stage("2023-06-30", "近岸海域水质优良比例达到95%以上")],
            [("完成养殖尾水排放口规范整治", D(2022, 12, 31), 50),
             ("近岸海域水质优良比例达到95%以上", D(2023, 6, 30), 100)],
            id="a target percentage is no progress",
        ),
        pytest.param(
            [_stage("2024-03-31", "完成总工程量的20%"), _stage("2024-06-30", "完成管网铺设"),
             _stage("2024-09-30", "完成调试"), _stage("2024-12-31", "投入运行")],
            [("完成总工程量的20%", D(2024, 3, 31), 20), ("完成管网铺设", D(2024, 6, 30), 46),
             ("完成调试", D(2024, 9, 30), 73), ("投入运行", D(2024, 12, 31), 100)],
            id="stages stating none are spread between their neighbours",
        ),
        pytest.param(
            [_stage("2024-03-31", "完成60%"), _stage("2024-06-30", "完成50%"),
             _stage("2024-12-31", "全部完成")],
            [("完成60%", D(2024, 3, 31), 33), ("完成50%", D(2024, 6, 30), 66),
             ("全部完成", D(2024, 12, 31), 100)],
            id="stated figures that fall are ignored",
        ),
        pytest.param(
            [_stage("2024-06-30", "完成100%的排查"), _stage("2024-12-31", "完成整治")],
            [("完成100%的排查", D(2024, 6, 30), 50), ("完成整治", D(2024, 12, 31), 100)],
            id="100% before the last stage is ignored",
        ),
        pytest.param(
            [_stage("2025-12-31", "全面完成整治"), _stage("2024-06-30", "完成排查")],
            [("完成排查", D(2024, 6, 30), 50), ("全面完成整治", D(2025, 12, 31), 100)],
            id="in date order, not text order",
        ),
        pytest.param(
            [_stage("2024-06-30", "完成排查"), _stage("2024-06-30", "建立台账"),
             _stage("2024-12-31", "完成整治")],
            [("完成排查；建立台账", D(2024, 6, 30), 50), ("完成整治", D(2024, 12, 31), 100)],
            id="stages on one date are one milestone",
        ),
        pytest.param(
            [_stage("2024-06-30"), _stage("2024-12-31", " ")],
            [("Stage 1", D(2024, 6, 30), 50), ("Stage 2", D(2024, 12, 31), 100)],
            id="a stage without a clause is numbered",
        ),
    ],
)  # fmt: skip
def test_stages_become_milestones(stages, expected):
    with translation.override("en"):
        assert staged_milestones(stages) == expected


def test_a_long_clause_is_cut_to_the_titles_length():
    (first, _last) = staged_milestones([_stage("2024-06-30", "完成" * 200), _stage("2024-12-31")])
    assert len(first[0]) == TITLE_MAX


@pytest.mark.parametrize(
    ("clause", "percent"),
    [("完成30%的水体治理", 30), ("完成整改任务的50%以上", 50), ("完成总工程量的 60 ％", 60),
     ("水质优良比例达到95%以上", None), ("完成率达到90%", None), ("完成0%", None),
     ("完成排查", None), ("", None)],
)  # fmt: skip
def test_only_a_share_of_the_work_done_is_a_stated_percentage(clause, percent):
    assert stated_percent(clause) == percent


def test_the_schedule_rule_expects_each_stage_by_its_date_and_all_by_the_due_date():
    stages = [_stage("2024-08-31", "完成方案编制"), _stage("2024-12-31", "完成主体工程"),
              _stage("2025-12-31", "稳定达标")]  # fmt: skip
    made = staged_milestones(stages)
    facts = schedule.ScheduleFacts(
        status="in_progress",
        start=D(2024, 1, 1),
        due=made[-1][1],
        milestones=tuple(schedule.MilestoneFacts(due, pct) for _title, due, pct in made),
    )
    expected = [schedule.expected_progress(facts, day) for day in
                (D(2024, 8, 30), D(2024, 8, 31), D(2025, 1, 1), D(2025, 12, 31))]  # fmt: skip
    assert expected == [0, 33, 66, 100]
