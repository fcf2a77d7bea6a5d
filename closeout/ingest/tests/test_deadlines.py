from __future__ import annotations

import re
from datetime import date

import pytest

from closeout.ingest import normalise, parse_deadline

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
]

UNPARSED = [
    ("22020年底前", "no date"),  # a typo in seed 004: never read as the year 2020
    ("2021年×月×日", "placeholder"),
    ("3个月内", "relative"),
    ("尽快", "no date"),
    ("2023年2月30日", "impossible"),
    ("", "no deadline"),
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


def test_year_of_the_plan_dates_a_phrase_without_a_year():
    assert parse_deadline("12月底前", year=2019).due == D(2019, 12, 31)
    assert parse_deadline("年底前", year=2019).due == D(2019, 12, 31)
    assert not parse_deadline("12月底前").parsed


def test_several_dates_are_noted():
    assert "several dates" in parse_deadline("2019年6月底前完成,2020年底前全部完成").note


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
