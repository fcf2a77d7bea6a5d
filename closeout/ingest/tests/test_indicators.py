from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closeout.ingest import find_indicators, normalise
from closeout.ingest.indicators import TARGET, targets

CASES = [
    # the examples (from seeds 000 and 003) with their sentence openings
    ("到2020年,PM2.5年均浓度稳定达到国家二级标准(35微克/立方米)",
     ("PM2.5年均浓度", "<=", 35.0, "微克/立方米", 2020)),
    ("城市污水处理率不低于96%", ("城市污水处理率", ">=", 96.0, "%", None)),
    ("到2020年,全市污水处理总能力达到760万吨/日", ("污水处理总能力", "=", 760.0, "万吨/日", 2020)),
    ("危险废物填埋比下降到12%以下", ("危险废物填埋比", "<=", 12.0, "%", None)),
    ("清洁能源占比达到65%左右", ("清洁能源占比", "≈", 65.0, "%", None)),
    # seed 002
    ("2021年,广州市PM2.5浓度控制在33微克/立方米以下,臭氧浓度力争稳中有降。",
     ("广州市PM2.5浓度", "<=", 33.0, "微克/立方米", 2021)),
    ("工业危险废物利用处置率和医疗废物处理处置率保持100%。",
     ("工业危险废物利用处置率和医疗废物处理处置率", "=", 100.0, "%", None)),
    # written for other plans (full-width digits and percent are normalised first)
    ("２０２２年底前，县城生活垃圾无害化处理率达到９５％以上",
     ("县城生活垃圾无害化处理率", ">=", 95.0, "%", 2022)),
    ("空气质量优良天数比例不低于85.5%", ("空气质量优良天数比例", ">=", 85.5, "%", None)),
    ("新建污水管网不少于120公里", ("新建污水管网", ">=", 120.0, "公里", None)),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "expected"), CASES)
def test_quantitative_target_gives_name_comparator_value_unit_year(sentence, expected):
    text = normalise(sentence).text
    found = find_indicators(text)
    assert found, sentence
    first = found[0]
    assert (first.name, first.comparator, first.value, first.unit, first.year) == expected
    assert text[first.span[0] : first.span[1]] == first.text


@pytest.mark.parametrize(
    "sentence",
    [
        "1.各县市区党委、政府要把生态环境保护工作纳入重要议事日程",
        "于2020年12月完成3项",
        "(2022年1月26日)",
    ],
)
def test_list_numbers_dates_and_counts_are_not_targets(sentence):
    assert find_indicators(normalise(sentence).text) == ()


@pytest.mark.parametrize(("number", "least"), [("000", 3), ("002", 2), ("003", 3)])
def test_seed_targets_are_found_with_names_and_spans(seed_text, number, least):
    text = normalise(seed_text(number)).text
    found = find_indicators(text)
    assert len(found) >= least
    for indicator in found:
        assert indicator.name
        assert text[indicator.span[0] : indicator.span[1]] == indicator.text


def _all(text: str) -> list[tuple[str, str, float, str | None, int | None]]:
    return [(i.name, i.comparator, i.value, i.unit, i.year) for i in find_indicators(text)]


def test_respectively_gives_one_target_per_name():
    # seed 003, 工作目标 5
    text = normalise(
        "重点流域、集中式饮用水水源水质优良(达到或优于Ⅲ类)比例分别达到60%以上和98%以上"
    ).text
    assert _all(text) == [
        ("重点流域", ">=", 60.0, "%", None),
        ("集中式饮用水水源水质优良(达到或优于III类)比例", ">=", 98.0, "%", None),
    ]


def test_a_bullet_takes_the_year_of_the_paragraph_that_introduces_the_list():
    # seed 003: "5.生态环境质量显著改善。到2020年,…" then "——" bullets, one per line
    text = normalise(
        "5.生态环境质量显著改善。到2020年,突出环境问题得到有效解决。\n\n"
        "——全市湿地保有量达到33万亩,湿地保护率达到80%;森林覆盖率稳定在25%以上。"
    ).text
    assert _all(text) == [
        ("湿地保有量", "=", 33.0, "万亩", 2020),
        ("湿地保护率", "=", 80.0, "%", 2020),
        ("森林覆盖率", ">=", 25.0, "%", 2020),
    ]


def test_a_year_that_starts_a_period_is_not_the_target_year():
    # seed 003: "确保2020年年底前完成…,2013年以来关停露天开采矿山地质环境治理率达到50%"
    text = normalise(
        "确保2020年年底前完成剩余30处矿山复绿工程,2013年以来关停露天开采矿山地质环境治理率达到50%"
    ).text
    assert _all(text)[-1] == ("关停露天开采矿山地质环境治理率", "=", 50.0, "%", 2020)


_TARGET_ALPHABET = "为达到不低于控制在降至以上左右下降到超过实现保持0123456789.%吨万 ,。、()年xy\n"


@given(st.text(alphabet=_TARGET_ALPHABET, max_size=80))
def test_the_target_scan_finds_exactly_what_the_target_pattern_finds(text):
    found = [(m.span(), m.groupdict()) for m in targets(text)]
    assert found == [(m.span(), m.groupdict()) for m in TARGET.finditer(text)]


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_the_target_scan_finds_in_each_seed_what_the_target_pattern_finds(seed_text, number):
    text = normalise(seed_text(number)).text
    found = [(m.span(), m.groupdict()) for m in targets(text)]
    assert found == [(m.span(), m.groupdict()) for m in TARGET.finditer(text)]
