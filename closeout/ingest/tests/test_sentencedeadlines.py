"""Deadlines inside sentences (closeout.ingest.sentencedeadlines): which dates of a measure
are its deadline, and the properties that must hold whatever the width or numerals."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeout.ingest import parse_deadline
from closeout.ingest.sentencedeadlines import deadline_of, find_deadlines

D = date

# ------------------------------------------------------------------ deadlines in sentences

# (text, the document's year, [(phrase, due, immediate, ongoing)]): what a sentence
# states as its deadline, in order. Dates that are no deadline give nothing.
SENTENCES = [
    (
        "2024年9月底前,基本完成城市建成区黑臭水体整治。",
        None,
        [("2024年9月底前", D(2024, 9, 30), False, False)],
    ),
    (
        "到2025年,全市地表水优良水体比例达到85%以上。",
        None,
        [("2025年", D(2025, 12, 31), False, False)],
    ),
    ("于2024年底前完成全部燃煤锅炉淘汰。", None, [("2024年底前", D(2024, 12, 31), False, False)]),
    (
        "力争二〇二四年十月底前完成验收销号。",
        None,
        [("二〇二四年十月底前", D(2024, 10, 31), False, False)],
    ),
    (
        "全面排查入河排污口,2024年6月底前完成排查,9月底前完成整治,2025年底前全部完成销号。",
        None,
        [
            ("2024年6月底前", D(2024, 6, 30), False, False),
            ("9月底前", D(2024, 9, 30), False, False),
            ("2025年底前", D(2025, 12, 31), False, False),
        ],
    ),
    ("年底前完成饮用水水源地规范化建设。", 2024, [("年底前", D(2024, 12, 31), False, False)]),
    (
        "加强执法检查,每季度开展一次专项行动,持续推进问题整改。",
        None,
        [("每季度", None, False, True), ("持续推进", None, False, True)],
    ),
    (
        "对群众举报问题立行立改,2024年12月底前建立长效机制,长期坚持。",
        None,
        [
            ("立行立改", None, True, False),
            ("2024年12月底前", D(2024, 12, 31), False, False),
            ("长期坚持", None, False, True),
        ],
    ),
    ("2019年6月至8月开展专项整治行动。", None, [("2019年6月至8月", D(2019, 8, 31), False, False)]),
    (
        "2024年至2025年,完成老旧管网改造300公里。",
        None,
        [("2024年至2025年", D(2025, 12, 31), False, False)],
    ),
    ("完成时间:2024-09-30。", None, [("2024-09-30", D(2024, 9, 30), False, False)]),
    # the year of the plan dates an undated clause; a sentence's own year is kept
    (
        "2025年,全市PM2.5平均浓度控制在30微克/立方米以下。",
        2024,
        [("2025年", D(2025, 12, 31), False, False)],
    ),
    (
        "2020年7月至9月，全面排查县城建成区入河排污口。",
        2020,
        [("2020年7月至9月", D(2020, 9, 30), False, False)],
    ),
    (
        "发现违规开采立即停止,2023年12月底前完成复绿。",
        None,
        [("立即停止", None, True, False), ("2023年12月底前", D(2023, 12, 31), False, False)],
    ),
    ("推进港口岸电常态化使用。", None, [("常态化使用", None, False, True)]),
    # A period followed by work, with or without a comma: due at its end.
    (
        "对历史遗留矿山,2023年9月至2024年10月分批实施生态修复。",
        2023,
        [("2023年9月至2024年10月", D(2024, 10, 31), False, False)],
    ),
    (
        "2023年9月—2024年10月分期推进管网改造。",
        2023,
        [("2023年9月—2024年10月", D(2024, 10, 31), False, False)],
    ),
    (
        "二〇二四年三月至二〇二五年六月分步实施搬迁。",
        2024,
        [("二〇二四年三月至二〇二五年六月", D(2025, 6, 30), False, False)],
    ),
    ("2024年6-9月集中整治城区黑臭水体。", 2024, [("2024年6-9月", D(2024, 9, 30), False, False)]),
    ("2019年6月至8月开展了专项排查。", 2020, []),  # the past
    ("2021年6月至7月中央第三生态环境保护督察组进驻我省。", 2021, []),
    ("每年11月至次年3月开展秸秆禁烧巡查。", 2024, [("每年", None, False, True)]),
    (
        "每年3月15日至6月15日、9月15日至11月15日为防火期,严格用火审批。",
        2023,
        [("每年", None, False, True)],
    ),
    (
        "每年4月至5月和10月至11月开展巡查,2024年底前完成整治。",
        2023,
        [("每年", None, False, True), ("2024年底前", D(2024, 12, 31), False, False)],
    ),
    # dates that are not deadlines
    ("公示期:2024年3月1日至3月7日。", None, []),
    ("2023年全市优良天数比例达到86.3%,同比上升2.1个百分点。", None, []),
    ("2024年6月,市政府印发了《生态环境保护督察整改工作方案》。", None, []),
    ("在2024年6月召开的全市生态环境保护大会上,", None, []),
    ("计划于2024年10月完成招标。", None, [("2024年10月", D(2024, 10, 31), False, False)]),
    ("依据《中华人民共和国大气污染防治法》(2018年修正)。", None, []),
    ("年内完成首批试点。", 2024, []),
    ("2023年,我市空气质量优良天数比例为85.2%。", 2024, []),
    ("2023年,我市累计完成造林5万亩。", None, []),
    ("自2021年以来,全市共关停散乱污企业312家。", None, []),
    ("2021年以来,累计投入资金12亿元。", None, []),
    ("截至2023年底,全市已建成污水处理厂42座。", None, []),
    ("单位GDP能耗较2020年下降13.5%。", None, []),
    ("与2020年相比,化学需氧量排放总量减少8%。", None, []),
    ("2021年6月至7月,中央第三生态环境保护督察组对我省开展了第二轮督察。", None, []),
    ("2022年4月,省委第二生态环境保护督察组进驻我市。", None, []),
    ("认真贯彻《广州市打赢蓝天保卫战三年行动计划(2018—2020年)》。", None, []),
    ("开展2023年度环境保护目标责任考核。", None, []),
    ("关于印发《湖州市贯彻落实2022年省委生态环境保护专项督察反馈意见整改方案》的通知", None, []),
    ("编制2021年重点排污单位名录。", None, []),
    ("本办法自2024年1月1日起施行。", None, []),
    ("发布日期:2024-03-15", None, []),
    ("人均投入2024.5元。", None, []),
    ("长期以来,部分企业环保意识淡薄。", None, []),
    ("精准有效做好常态化疫情防控相关环保工作。", None, []),
    ("建立常态化宣传机制,大力开展生态文明宣传。", None, []),
    ("推进生态环境损害赔偿工作常态化、制度化。", None, [("常态化", None, False, True)]),
    ("常态化开展河湖“清四乱”行动。", None, [("常态化开展", None, False, True)]),
    # 常态化 before any verb of the work: 办理 (a procuratorate's cases), 巡护, 抽查 …
    ("常态化办理涉环境资源案件。", None, [("常态化办理", None, False, True)]),
    ("对自然保护区常态化巡护，", None, [("常态化巡护", None, False, True)]),
    ("常态化抽查重点排污单位在线监测数据。", None, [("常态化抽查", None, False, True)]),
    ("常态化实施河道保洁。", None, [("常态化实施", None, False, True)]),
    ("按照立行立改、长期坚持的原则,", None, []),
    # a date with a deadline marker is kept even in a narrative clause
    (
        "到2025年,单位GDP二氧化碳排放较2020年下降18%。",
        None,
        [("2025年", D(2025, 12, 31), False, False)],
    ),
]


@pytest.mark.parametrize(("text", "year", "expected"), SENTENCES)
def test_deadlines_inside_a_sentence_are_found_and_others_are_not(text, year, expected):
    found = find_deadlines(text, year=year)
    got = [(m.raw, m.deadline.due, m.deadline.immediate, m.deadline.ongoing) for m in found]
    assert got == expected
    for m in found:
        assert text[m.span[0] : m.span[1]] == m.raw


def test_spans_index_the_text_as_given_full_width_and_traditional():
    text = "到２０２５年底前，全面完成整治；長期堅持。"
    found = find_deadlines(text)
    assert [text[a:b] for a, b in (m.span for m in found)] == ["２０２５年底前", "長期堅持"]


def test_sentence_without_a_year_and_no_plan_year_gives_no_due_date():
    [mention] = find_deadlines("9月底前完成整改。")
    assert mention.deadline.due is None
    assert "no year" in (mention.deadline.note or "")


def test_mentions_combine_into_one_deadline_with_milestones():
    text = "2024年8月底前完成排查;2024年12月底前完成整治;2025年12月底前全面完成,长期坚持。"
    deadline = deadline_of(find_deadlines(text))
    assert deadline is not None
    assert deadline.due == D(2025, 12, 31)
    assert deadline.ongoing and not deadline.immediate
    assert [m.due for m in deadline.milestones] == [
        D(2024, 8, 31),
        D(2024, 12, 31),
        D(2025, 12, 31),
    ]
    assert deadline.raw == "2024年8月底前;2024年12月底前;2025年12月底前;长期坚持"


def test_no_mention_gives_no_deadline():
    assert deadline_of(find_deadlines("加强监督管理,严厉打击违法行为。")) is None


# ------------------------------------------------------------------ properties

_PUNCT = {",": "\uff0c", ";": "\uff1b", ":": "\uff1a", "(": "\uff08", ")": "\uff09"}
_CN_DIGIT = dict(zip("0123456789", "〇一二三四五六七八九", strict=True))


def _cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGIT[str(tens)] + "十")
    return head + (_CN_DIGIT[str(ones)] if ones else "")


def _phrase(y: int, m: int, d: int | None, tail: str, *, chinese: bool, wide: bool) -> str:
    if chinese:
        text = "".join(_CN_DIGIT[c] for c in str(y)) + "年" + _cn_small(m) + "月"
        text += f"{_cn_small(d)}日" if d else ""
    else:
        text = f"{y}年{m}月" + (f"{d}日" if d else "")
    if wide:
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return text + tail


SENTENCE = st.tuples(
    st.integers(2000, 2035),
    st.integers(1, 12),
    st.one_of(st.none(), st.integers(1, 28)),
    st.sampled_from(["前", "底前", "", "以前"]),
    st.sampled_from(["完成整治", "基本完成治理,长期坚持", "全面销号;立行立改"]),
)


@settings(max_examples=200, deadline=None)
@given(SENTENCE, st.booleans(), st.booleans(), st.booleans())
def test_width_and_numerals_of_the_same_date_do_not_change_the_result(
    parts, chinese, wide, wide_punct
):
    y, m, d, tail, rest = parts
    tail = "前" if d and tail == "底前" else tail
    plain = f"力争{_phrase(y, m, d, tail, chinese=False, wide=False)},{rest}。"
    other = f"力争{_phrase(y, m, d, tail, chinese=chinese, wide=wide)},{rest}。"
    if wide_punct:
        other = "".join(_PUNCT.get(c, c) for c in other)

    def reading(text: str) -> list[tuple[object, ...]]:
        found = find_deadlines(text)
        return [(x.deadline.due, x.deadline.immediate, x.deadline.ongoing) for x in found]

    assert reading(plain) == reading(other)
    assert reading(plain)[0][0] is not None
    assert parse_deadline(plain).as_json()["due"] == parse_deadline(other).as_json()["due"]
