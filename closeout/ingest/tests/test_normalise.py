from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closeout.ingest import normalise


def test_scraped_pinyin_annotations_are_removed_and_text_simplified():
    result = normalise("生態(tài)環(huán)境保護(hù)宣傳")
    assert result.text == "生态环境保护宣传"


def test_pinyin_removal_keeps_ordinary_latin_parentheses():
    assert normalise("PM2.5(细颗粒物)与(PPP)模式(a)").text == "PM2.5(细颗粒物)与(PPP)模式(a)"


def test_full_width_punctuation_becomes_ascii_but_outline_markers_stay():
    result = normalise("（一）整改时限：２０２０年底；①责任单位，⑴")
    assert result.text == "(一)整改时限:2020年底;①责任单位,⑴"


def test_kangxi_radicals_from_pdf_text_layers_become_ordinary_characters():
    assert normalise("⽣态环境⼀、⼤⽓").text == "生态环境一、大气"


def test_a_span_in_the_analysis_form_maps_back_to_the_verbatim_original():
    original = "保護(hù)環(huán)境，整改時(shí)限：立行立改"
    result = normalise(original)
    start = result.text.index("整改时限")
    end = start + len("整改时限")
    assert result.original_text(start, end) == "整改時(shí)限"
    assert result.original_text(0, 4) == "保護(hù)環(huán)境"


def test_seed_004_is_normalised_without_pinyin(seed_text):
    # How fast: `closeout bench --ingest`.
    import re

    text = seed_text("004")
    result = normalise(text)
    assert "生态环境保护宣传工作方案篇十八" in result.text
    toned = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
    assert not re.search(rf"\([a-z{toned}]*[{toned}][a-z{toned}]*\)", result.text)
    assert "(app)" in result.text  # an ordinary parenthesis in the same seed stays
    mapped = {
        result.original_text(m.start(), m.end()) for m in re.finditer("生态环境", result.text)
    }
    assert "生態(tài)環(huán)境" in mapped


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_offset_map_is_monotonic_and_within_bounds_for_any_text(text):
    result = normalise(text)
    assert len(result.starts) == len(result.text) == len(result.ends)
    previous = 0
    for start, end in zip(result.starts, result.ends, strict=True):
        assert previous <= start < end <= len(text)
        previous = start
    a, b = result.to_original(0, len(result.text))
    assert 0 <= a <= b <= len(text)


@given(st.text(alphabet="生態(tài)環(huán)境abcāá（）()，,①2020年", max_size=60), st.data())
def test_any_span_maps_to_an_ordered_span_of_the_original(text, data):
    result = normalise(text)
    n = len(result.text)
    i = data.draw(st.integers(0, n))
    j = data.draw(st.integers(i, n))
    a, b = result.to_original(i, j)
    assert 0 <= a <= b <= len(text)


# (original, analysis text): a line break inside a date (year⏎month, month⏎day) is no
# line break; a year alone at a line's start (a heading over month items) keeps its line.
BROKEN_DATES = [
    ("（七）2024年\n11月30日前，完成排查", "(七)2024年11月30日前,完成排查"),
    ("(三)2025年6月\n30日前完成", "(三)2025年6月30日前完成"),
    ("完成时限：2024年\r\n底前", "完成时限:2024年底前"),
    ("①二〇二五年\n　三月底前完成", "①二〇二五年三月底前完成"),
    ("（一）２０２４年\n１１月底前", "(一)2024年11月底前"),
    ("於2024年9月\n下旬前完成", "于2024年9月下旬前完成"),  # traditional
    ("2024年\n3月:启动部署", "2024年\n3月:启动部署"),
    ("截至2024年\n全市共建成", "截至2024年\n全市共建成"),
    ("于2024年\n12个月内完成", "于2024年\n12个月内完成"),
    ("完成2024年6月\n30项任务", "完成2024年6月\n30项任务"),
    ("每月\n10日前报送", "每月\n10日前报送"),
]


@pytest.mark.parametrize(("original", "text"), BROKEN_DATES)
def test_a_date_broken_over_two_lines_is_one_date_and_maps_back_exactly(original, text):
    result = normalise(original)
    assert result.text == text
    assert len(result.starts) == len(result.text)
    # Every analysis character comes from the original character it reads as.
    assert all(
        normalise(original[a]).text == ch for a, ch in zip(result.starts, result.text, strict=True)
    )
    assert result.original_text(0, len(result.text)) == original.rstrip()
