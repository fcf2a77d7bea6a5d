from __future__ import annotations

import re
from datetime import date

import pytest

from closeout.ingest import normalise, parse_deadline
from closeout.ingest.numerals import cn_int
from closeout.ingest.parse import parse
from closeout.ingest.result import ParseContext, to_json
from closeout.ingest.sentencedeadlines import deadline_of, find_deadlines, text_flags

D = date
# (raw, due, immediate, ongoing): the first block is copied from the seeds (the file is
# named), the rest are forms we wrote for plans of other cities.
CASES = [
    # seed 003 (整改时限 fields)
    ("立行立改,长期坚持", None, True, True),
    ("立行立改", None, True, False),
    ("2020年年底", D(2020, 12, 31), False, False),
    ("2019年年底", D(2019, 12, 31), False, False),
    ("2018年年底", D(2018, 12, 31), False, False),
    ("2018年8月", D(2018, 8, 31), False, False),
    ("2018年8月底", D(2018, 8, 31), False, False),
    # seed 004 (整改时限 / 完成时限 fields, traditional with pinyin in the original)
    ("2021年12月31日(長(zhǎng)期堅(jiān)持、防止反彈(dàn))", D(2021, 12, 31), False, True),
    ("2021年12月31日(长期坚持、防止反弹)", D(2021, 12, 31), False, True),
    ("持續(xù)推進(jìn)。", None, False, True),
    ("持续推进", None, False, True),
    ("2025年12月31日。", D(2025, 12, 31), False, False),
    ("2024年12月31日", D(2024, 12, 31), False, False),
    ("2022年12月31日,并长期坚持。", D(2022, 12, 31), False, True),
    ("立行立改,持续推进。", None, True, True),
    ("2023年12月31日", D(2023, 12, 31), False, False),
    ("2022年6月30日。", D(2022, 6, 30), False, False),
    ("立即整改,长期坚持。", None, True, True),
    ("2022年9月。", D(2022, 9, 30), False, False),
    # phrases with deadlines inside the seeds' running text
    ("2008年5月底前", D(2008, 5, 31), False, False),
    ("2018年6月底", D(2018, 6, 30), False, False),
    ("2018年7月底前", D(2018, 7, 31), False, False),
    ("2018年年底前", D(2018, 12, 31), False, False),
    ("2019年底前", D(2019, 12, 31), False, False),
    ("2020年年底前", D(2020, 12, 31), False, False),
    ("2020年底", D(2020, 12, 31), False, False),
    ("2021年8月31日前", D(2021, 8, 31), False, False),
    ("2021年9月30日前", D(2021, 9, 30), False, False),
    ("2022年3月31日前", D(2022, 3, 31), False, False),
    ("2024年12月底前", D(2024, 12, 31), False, False),
    ("到2023年12月底前", D(2023, 12, 31), False, False),
    ("到2025年底", D(2025, 12, 31), False, False),
    ("力争2018年9月", D(2018, 9, 30), False, False),
    ("在2021年12月31日前", D(2021, 12, 31), False, False),
    ("确保2020年年底前", D(2020, 12, 31), False, False),
    ("直至2019年年底", D(2019, 12, 31), False, False),
    ("研究制定2030年前", D(2030, 12, 31), False, False),
    ("2021年4月6日至5月6日", D(2021, 5, 6), False, False),
    ("2022年1月20日前", D(2022, 1, 20), False, False),
    ("2021年12月下旬至2022年1月", D(2022, 1, 31), False, False),
    # forms written for other plans
    ("二〇二〇年十二月三十一日", D(2020, 12, 31), False, False),
    ("二〇二一年六月底前", D(2021, 6, 30), False, False),
    ("２０２１年１２月３１日前", D(2021, 12, 31), False, False),
    ("2020年上半年", D(2020, 6, 30), False, False),
    ("2021年下半年", D(2021, 12, 31), False, False),
    ("2021年第三季度", D(2021, 9, 30), False, False),
    ("2022年一季度", D(2022, 3, 31), False, False),
    ("2022年前三季度", D(2022, 9, 30), False, False),
    ("2019年—2020年", D(2020, 12, 31), False, False),
    ("2018-2020年", D(2018 + 2, 12, 31), False, False),
    ("2021.6.30", D(2021, 6, 30), False, False),
    ("2021-12", D(2021, 12, 31), False, False),
    ("2024年2月底", D(2024, 2, 29), False, False),
    ("2019年6月底前完成,2020年底前全部完成", D(2020, 12, 31), False, False),
    ("立查立改,2019年底前完成并防止反弹", D(2019, 12, 31), True, True),
    ("2020年年末", D(2020, 12, 31), False, False),
    ("每年", None, False, True),
    ("長期堅持", None, False, True),
    # the forms offices use, written for this issue
    ("2024年9月底前", D(2024, 9, 30), False, False),
    ("2025年6月30日前", D(2025, 6, 30), False, False),
    ("2024.9", D(2024, 9, 30), False, False),
    ("2024-09-30", D(2024, 9, 30), False, False),
    ("2024/9/30", D(2024, 9, 30), False, False),
    ("二〇二四年九月底前", D(2024, 9, 30), False, False),
    ("二○二四年十二月三十一日", D(2024, 12, 31), False, False),
    ("二0二四年九月", D(2024, 9, 30), False, False),
    ("2024年十月", D(2024, 10, 31), False, False),
    ("2024年十一月中旬", D(2024, 11, 20), False, False),
    ("2024年10月上旬前", D(2024, 10, 10), False, False),
    ("2024年11月下旬", D(2024, 11, 30), False, False),
    ("2019年6月至8月", D(2019, 8, 31), False, False),
    ("2024年6-9月", D(2024, 9, 30), False, False),
    ("2024年6月—2024年9月", D(2024, 9, 30), False, False),
    ("2024年至2025年", D(2025, 12, 31), False, False),
    ("2024—2026年", D(2026, 12, 31), False, False),
    ("2024年四季度", D(2024, 12, 31), False, False),
    ("2024年三季度末", D(2024, 9, 30), False, False),
    ("2024年年中", D(2024, 6, 30), False, False),
    ("2024年内", D(2024, 12, 31), False, False),
    ("2024年底之前", D(2024, 12, 31), False, False),
    ("2024年9月底以前", D(2024, 9, 30), False, False),
    ("2024年9月份", D(2024, 9, 30), False, False),
    ("2024年9月30号前", D(2024, 9, 30), False, False),
    (
        "2024年8月底前完成排查;2024年12月底前完成整治;2025年12月底前全面完成",
        D(2025, 12, 31),
        False,
        False,
    ),
    ("2025年底前完成,长期坚持", D(2025, 12, 31), False, True),
    ("2024年6月底前完成,并常态化开展", D(2024, 6, 30), False, True),
    ("每季度", None, False, True),
    ("每半年一次", None, False, True),
    ("每年11月至次年3月", None, False, True),
    # The dates listed after 每年 all recur: a season, not a deadline.
    ("每年3月15日至6月15日、9月15日至11月15日", None, False, True),
    ("每年3月15日至6月15日，9月15日至11月15日", None, False, True),
    ("每年三月十五日至六月十五日、九月十五日至十一月十五日", None, False, True),
    ("每年3月、6月、9月和12月底前", None, False, True),
    ("每季度末、年底前", None, False, True),
    ("每年3月开展排查,2024年9月底前完成", D(2024, 9, 30), False, True),
    ("立即停止,2024年底前完成拆除", D(2024, 12, 31), True, False),
    ("常态化", None, False, True),
    ("持续开展", None, False, True),
    ("长期坚持", None, False, True),
    ("立即整改", None, True, False),
    ("即知即改", None, True, False),
    ("立行立改、长期坚持", None, True, True),
]

UNPARSED = [
    ("22020年底前", "no date"),  # a typo in seed 004: never read as the year 2020
    ("2021年×月×日", "placeholder"),
    ("3个月内", "relative"),
    ("尽快", "no date"),
    ("2023年2月30日", "impossible"),
    ("2024年13月", "impossible"),
    ("", "no deadline"),
    ("9月底前", "no year"),
    ("年底前", "no year"),
]

# (phrase, the document's year, due): phrases that state no year of their own.
WITH_YEAR = [
    ("12月底前", 2019, D(2019, 12, 31)),
    ("年底前", 2019, D(2019, 12, 31)),
    ("9月底", 2024, D(2024, 9, 30)),
    ("年底前", 2024, D(2024, 12, 31)),
    ("上半年", 2024, D(2024, 6, 30)),
    ("下半年", 2024, D(2024, 12, 31)),
    ("第三季度", 2024, D(2024, 9, 30)),
    ("四季度末", 2024, D(2024, 12, 31)),
    ("10月31日前", 2024, D(2024, 10, 31)),
    ("十月底", 2024, D(2024, 10, 31)),
    ("6月至8月", 2024, D(2024, 8, 31)),
    ("今年底前", 2024, D(2024, 12, 31)),
    ("明年6月底前", 2024, D(2025, 6, 30)),
    ("2025年3月底前", 2024, D(2025, 3, 31)),  # a year of its own wins over the plan's
    ("每年11月至次年3月", 2024, None),  # a season that recurs
]


@pytest.mark.parametrize(("raw", "due", "immediate", "ongoing"), CASES)
def test_deadline_phrase_gives_due_date_and_flags(raw, due, immediate, ongoing):
    deadline = parse_deadline(raw)
    assert (deadline.due, deadline.immediate, deadline.ongoing) == (due, immediate, ongoing)
    assert deadline.parsed


@pytest.mark.parametrize(("raw", "reason"), UNPARSED)
def test_unreadable_deadline_is_unparsed_with_a_reason_not_a_wrong_date(raw, reason):
    deadline = parse_deadline(raw)
    assert deadline.due is None
    assert not deadline.parsed
    assert reason in deadline.note


@pytest.mark.parametrize(("raw", "year", "due"), WITH_YEAR)
def test_year_of_the_plan_dates_a_phrase_without_a_year(raw, year, due):
    assert parse_deadline(raw, year=year).due == due


def test_several_dates_are_noted():
    assert "several dates" in parse_deadline("2019年6月底前完成,2020年底前全部完成").note


def test_a_range_is_one_date_not_several():
    deadline = parse_deadline("2024年6月至2024年9月底")
    assert deadline.due == D(2024, 9, 30)
    assert deadline.milestones == ()
    assert deadline.note is None


def test_staged_deadlines_are_milestones_in_order_and_the_last_is_due():
    deadline = parse_deadline("2024年8月底前完成排查;2024年12月底前完成整治;2025年12月底前全面完成")
    assert [(m.due, m.clause) for m in deadline.milestones] == [
        (D(2024, 8, 31), "完成排查"),
        (D(2024, 12, 31), "完成整治"),
        (D(2025, 12, 31), "全面完成"),
    ]
    assert deadline.due == D(2025, 12, 31)


def test_yearless_stage_takes_the_year_of_the_stage_before_it():
    deadline = parse_deadline("2024年6月底前完成排查,9月底前完成整治")
    assert [m.due for m in deadline.milestones] == [D(2024, 6, 30), D(2024, 9, 30)]


def test_as_json_follows_the_parse_contract():
    assert parse_deadline("2022年12月31日,并长期坚持").as_json() == {
        "raw": "2022年12月31日,并长期坚持",
        "due": "2022-12-31",
        "immediate": False,
        "ongoing": True,
    }


@pytest.mark.parametrize("number", ["003", "004"])
def test_every_deadline_field_in_the_seeds_parses(seed_text, number):
    text = normalise(seed_text(number)).text
    fields = re.findall(r"(?:整改时限|完成时限):([^\n)]+)", text)
    assert len(fields) >= 10
    unparsed = [f for f in fields if not parse_deadline(f).parsed]
    assert unparsed == []


# ------------------------------------------------------------------ in the parser

NARRATIVE = """某市2024年生态环境问题整改工作方案
二、重点任务
1.推进黑臭水体治理。全面排查城市建成区黑臭水体，２０２４年８月底前完成排查，12月底前完成整治，2025年12月底前全面完成销号。
2.加强扬尘管控。对建筑工地开展常态化巡查,每季度通报一次。
3.完善监测体系。自2021年以来已建成空气自动站36个,较2020年增加12个。
"""

INLINE = """一、水污染问题
1.推进入河排污口整治,2024年9月底前完成排查。(责任单位:市生态环境局;整改时限:2025年6月30日前)
"""


def test_task_without_a_deadline_field_takes_it_from_its_own_text():
    result = parse(NARRATIVE.encode("utf-8"), ParseContext(name="plan.txt", year=2024))
    by_number = {t.problem.number: t for t in result.tasks}
    staged = by_number["1"].deadline
    assert staged.source == "text"
    assert staged.due == D(2025, 12, 31)
    assert [m.due for m in staged.milestones] == [D(2024, 8, 31), D(2024, 12, 31), D(2025, 12, 31)]
    assert [result.text[a:b] for a, b in staged.spans] == [
        "２０２４年８月底前", "12月底前", "2025年12月底前",
    ]  # fmt: skip
    assert any(f.startswith("deadline_from_text: 2024年8月底前") for f in by_number["1"].flags)
    assert not any(f.startswith("missing_deadline") for f in by_number["1"].flags)
    assert by_number["2"].deadline.ongoing and by_number["2"].deadline.due is None
    narration = by_number["3"]
    assert narration.deadline.due is None and narration.deadline.source == "field"
    assert any(f.startswith("missing_deadline") for f in narration.flags)


def test_a_deadline_field_wins_over_the_sentence():
    result = parse(INLINE.encode("utf-8"), ParseContext(name="plan.txt"))
    [task] = result.tasks
    assert task.deadline.due == D(2025, 6, 30)
    assert task.deadline.source == "field"
    assert not any(f.startswith("deadline_from_text") for f in task.flags)
    [(a, b)] = task.deadline.spans
    assert "2025年6月30日前" in result.text[a:b]


def test_the_json_says_where_the_deadline_was_read():
    result = parse(NARRATIVE.encode("utf-8"), ParseContext(name="plan.txt", year=2024))
    task = to_json(result)["tasks"][0]
    assert set(task["deadline"]) == {"raw", "due", "immediate", "ongoing"}
    detail = task["deadline_detail"]
    assert detail["source"] == "text"
    assert [m["due"] for m in detail["milestones"]] == ["2024-08-31", "2024-12-31", "2025-12-31"]
    assert detail["milestones"][1]["clause"] == "完成整治"


@pytest.mark.parametrize(
    ("text", "value"),
    [("2024", 2024), ("二〇二四", 2024), ("二○二四", 2024), ("二0二四", 2024), ("十", 10),
     ("十二", 12), ("二十", 20), ("三十一", 31), ("两", 2), ("一百零三", 103), ("年", None)],
)  # fmt: skip
def test_chinese_numerals_in_dates(text, value):
    assert cn_int(text) == value


# (measure, immediate, ongoing): the flags a measure keeps beside a deadline field.
MEASURE_FLAGS = [
    ("建立吐曼河巡河制度,常态化开展排污口巡查。", False, True),
    ("建立城区排水管网常态化排查机制。", False, True),
    ("开展公益诉讼专项监督，常态化办理涉环境资源案件。", False, True),  # full-width comma
    ("加強林區管護,常態化巡檢防火設施。", False, True),  # traditional
    ("常态化通报整改进展,每月调度一次。", False, True),
    ("将园区企业纳入评估,每年开展一次评估。", False, True),
    ("对违规建设行为立即停止施工,依法拆除。", True, False),
    ("立即整改渗滤液外溢问题,长期坚持巡查。", True, True),
    ("對違規項目立即停止建設,每季度通報一次。", True, True),  # traditional
    ("对违规项目立即关停，持续开展巡查。", True, True),  # full-width comma
    # Not flags: the pace of work towards the date, a principle, a mechanism to build.
    ("老旧城区逐年推进雨污分流改造,合流制管网占比逐年下降。", False, False),
    ("按照立行立改、长期坚持的原则推进整改。", False, False),
    ("建立常态化宣传机制,开展生态文明宣传。", False, False),
    ("长期以来,管网建设滞后。", False, False),
]


@pytest.mark.parametrize(("text", "immediate", "ongoing"), MEASURE_FLAGS)
def test_a_measure_states_its_immediate_and_ongoing_work(text, immediate, ongoing):
    said = text_flags(normalise(text).text)
    got = (said.immediate, said.ongoing) if said else (False, False)
    assert got == (immediate, ongoing)


FIELD_PLANS = [
    # A 完成时限 line gives the date; the measure's 常态化/每年/立即停止 still count.
    (
        "问题1:某市城中村污水直排。\n整改措施:\n1.加快截污管网建设。\n"
        "2.建立巡河制度,常态化开展排污口巡查。\n牵头单位:某市人民政府\n完成时限:2022年10月底前\n",
        [("2022-10-31", False, False), ("2022-10-31", False, True)],
    ),
    (
        "一、某县垃圾填埋场未建防渗设施\n整改措施:立即停止使用,完成封场治理。\n"
        "责任单位:县住房和城乡建设局\n整改时限:2023年6月底前\n",
        [("2023-06-30", True, False)],
    ),
    (
        "序号|问题|整改措施|责任单位|完成时限\n1|违规建设|立即停止违规建设行为,恢复植被|"
        "州林业和草原局|2021年12月31日前\n",
        [("2021-12-31", True, False)],
    ),
    (
        "1.推进雨污分流改造,老旧城区逐年推进。(责任单位:市住房城乡建设局;完成时限:2025年底前)\n",
        [("2025-12-31", False, False)],
    ),
]


@pytest.mark.parametrize(("text", "expected"), FIELD_PLANS)
def test_a_deadline_field_gives_the_date_and_the_measure_adds_its_flags(text, expected):
    tasks = parse(text.encode("utf-8")).tasks
    got = [(t.deadline.due and t.deadline.due.isoformat(), t.deadline.immediate,
            t.deadline.ongoing) for t in tasks]  # fmt: skip
    assert got == expected


def test_flags_read_from_a_measure_beside_a_field_are_flagged_with_their_words():
    text = "1.建立巡河制度,常态化开展巡查。\n责任单位:某市水务局\n完成时限:2022年10月底前\n"
    (task,) = parse(text.encode("utf-8")).tasks
    assert task.deadline.due == D(2022, 10, 31) and task.deadline.ongoing
    assert "deadline_from_text: 常态化开展" in task.flags


# (phrase, the year the plan was written, due): that year dates only 今年/明年, never a
# bare 年底前 — a plan signed in one year may run for several.
WRITTEN_ONLY = [
    ("年底前", 2024, None),
    ("9月底前", 2023, None),
    ("第三季度", 2024, None),
    ("今年底前", 2024, D(2024, 12, 31)),
    ("本年度内", 2022, D(2022, 12, 31)),
    ("明年6月底前", 2024, D(2025, 6, 30)),
    ("２０２５年底前", 2024, D(2025, 12, 31)),
    ("2024年8月底前完成排查,12月底前完成整治", 2024, D(2024, 12, 31)),  # the year before it
]


@pytest.mark.parametrize(("raw", "written", "due"), WRITTEN_ONLY)
def test_the_year_a_plan_was_written_dates_no_bare_year_end(raw, written, due):
    assert parse_deadline(raw, written=written).due == due
    sentence = raw if "完成" in raw else raw + "完成整治"
    found = deadline_of(find_deadlines(sentence, written=written))
    assert found is not None and found.due == due


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("2021年广州市生态环境工作要点", 2021),
        ("安康市2024年生态环境保护工作要点", 2024),
        ("铜仁市2022年度生态环境问题整改清单", 2022),
        ("关于印发《２０２３年苏州市生态环境保护工作要点》的通知", 2023),
        ("呼伦贝尔市2024年大气污染防治实施方案", 2024),
        ("贵港市农村黑臭水体治理实施方案(2022—2025年)", None),  # a period
        ("2024年至2025年秋冬季攻坚行动计划", None),
        ("湖州市贯彻落实2022年省委生态环境保护专项督察反馈意见整改方案", None),  # the inspection's
        ("儋州市贯彻落实海南省生态环境保护督察反馈问题整改方案", None),
        ("2024年全市生态环境质量状况", None),  # no plan
        (None, None),
    ],
)
def test_a_plan_is_for_the_one_year_its_title_names(title, year):
    from closeout.ingest.parse import plan_year

    assert plan_year(normalise(title).text if title else None) == year


@pytest.mark.parametrize(
    ("head", "context", "due"),
    [
        ("儋州市整改方案\n儋州市人民政府\n2024年3月28日\n", ParseContext(), None),
        ("儋州市整改方案\n2024年3月28日\n", ParseContext(year=2025), D(2025, 12, 31)),
        ("2024年儋州市生态环境保护工作要点\n2024年2月1日\n", ParseContext(), D(2024, 12, 31)),
        ("舟山市整改方案\n二〇二三年五月六日\n", ParseContext(), None),
    ],
)
def test_a_bare_year_end_takes_the_plans_year_not_its_date(head, context, due):
    text = head + "一、整改任务\n1.年底前完成垃圾转运站改造(市住房和城乡建设局牵头)。\n"
    (task,) = parse(text.encode("gbk"), context).tasks
    assert task.deadline.due == due
    if due is None:
        assert any(f.startswith("deadline_unparsed: no year") for f in task.flags)


@pytest.mark.parametrize(
    ("raw", "due"),
    [
        ("2025年汛期前", None),
        ("２０２５年主汛期前", None),
        ("二〇二五年入汛前", None),
        ("2024年采暖季之前", None),
        ("2024年春节前", None),
        ("2024年秋冬季以前", None),
        ("2025年汛期前完成除险加固,2025年底前完成验收", D(2025, 12, 31)),
        ("2024年第四季度末前", D(2024, 12, 31)),  # a quarter is a date
        ("2024年三季度", D(2024, 9, 30)),
    ],
)
def test_a_season_of_a_year_is_a_deadline_without_a_date(raw, due):
    field = parse_deadline(raw)
    assert field.due == due
    found = deadline_of(find_deadlines("完成海岛水库水源保护区划定," + raw + "完成"))
    assert found is not None and found.due == due
    if due is None:
        assert not field.parsed and "a season or event" in (field.note or "")
        assert "a season or event" in (found.note or "")


def test_a_measure_due_before_a_season_is_flagged_for_the_reviewer():
    text = "1.2025年汛期前完成病险水库除险加固(市水利局牵头,市气象局配合)。\n"
    (task,) = parse(text.encode("gb18030")).tasks
    assert task.deadline.due is None and task.deadline.raw == "2025年汛期前"
    assert any(f.startswith("deadline_unparsed: a season or event") for f in task.flags)
