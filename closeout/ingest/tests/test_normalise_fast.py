"""The fast paths of normalise() against the plain, character-by-character algorithm."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closeout.ingest.normalise import _KEEP, _TONED, _stable, normalise, to_simplified

# The annotation pattern as first written: the lookbehind before the parenthesis.
PINYIN = re.compile(rf"(?<=\S)[(（]([a-zü{_TONED}]{{0,5}}[{_TONED}][a-zü{_TONED}]{{0,5}})[)）]")


def reference(original: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """normalise() one character at a time, OpenCC on the whole text and then per line."""
    keep = [True] * len(original)
    for match in PINYIN.finditer(original):
        for i in range(match.start(), match.end()):
            keep[i] = False
    chars: list[str] = []
    starts: list[int] = []
    for i, ch in enumerate(original):
        if not keep[i]:
            continue
        out = ch if ch.isascii() or _KEEP.match(ch) else unicodedata.normalize("NFKC", ch) or ch
        for piece in out:
            chars.append(piece)
            starts.append(i)
    folded = "".join(chars)
    simplified = to_simplified(folded)
    if len(simplified) != len(folded):
        lines = []
        for line in folded.split("\n"):
            converted = to_simplified(line)
            if len(converted) != len(line):
                converted = "".join(c if len(c := to_simplified(x)) == 1 else x for x in line)
            lines.append(converted)
        simplified = "\n".join(lines)
    return simplified, tuple(starts), tuple(i + 1 for i in starts)


def same_as_reference(text: str) -> None:
    result = normalise(text)
    assert (result.text, result.starts, result.ends) == reference(text)


def test_every_character_said_to_be_stable_is_left_alone_by_nfkc():
    said = [chr(c) for c in range(0x110000) if _stable().fullmatch(chr(c))]
    assert len(said) > 20000
    assert [ch for ch in said if unicodedata.normalize("NFKC", ch) != ch] == []


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_each_seed_normalises_as_the_reference_does(seed_text, number):
    same_as_reference(seed_text(number))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "生态环境保护",  # simplified only, nothing for NFKC: both fast paths taken
        "生態環境保護",  # traditional, nothing for NFKC
        "（一）整改时限：２０２０年底；①责任单位，⑴",  # NFKC on full-width forms, markers kept
        "面积5㎡,温度3℃…完成",  # characters NFKC expands
        "ＡＢＣＤＥＦＧＨＩ：１２３４５６７８９㎡",  # more than a few to fold: one translate
        "乾燥的天氣\n著名的乾隆",  # phrase conversions (乾燥 → 干燥) and plain lines
        "保護(hù)環(huán)境㎡(tài)，整改時(shí)限",  # annotations next to expanding characters
    ],
)
def test_hand_picked_texts_normalise_as_the_reference_does(text):
    same_as_reference(text)


_ALPHABET = "生態(tài)環(huán)境乾燥著名干发髮后後abcāá（）()，,①⑴㎡℃…２0年\n 　"


@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_mixed_text_normalises_as_the_reference_does(text):
    same_as_reference(text)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_text_normalises_as_the_reference_does(text):
    same_as_reference(text)
