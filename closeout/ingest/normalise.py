"""Normalisation (规范化) for analysis, with an offset map back to the original text.

The analysis form is: scraped pinyin annotations removed ("生態(tài)環(huán)境" → "生態環境"),
NFKC (full-width punctuation and digits → ASCII), traditional → simplified (OpenCC t2s).
Every character of the analysis form remembers the original character it came from, so
any span found in the analysis form maps back to a span of the verbatim original.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# A pinyin annotation scraped from a ruby-annotated page: "(tài)" after a character (Han,
# or the mojibake such pages also carry). A tone-marked vowel is required so that
# "(PM2.5)", "(a)" or "(ppp)" stay. The parenthesis comes first and the lookbehind checks
# the character before it, so the regex engine skips straight to parentheses.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
PINYIN = re.compile(
    rf"[(（](?<=\S[(（])([a-zü{_TONED}]{{0,5}}[{_TONED}][a-zü{_TONED}]{{0,5}})[)）]"
)
# A date broken over two lines ("(七)2024年⏎11月30日前", "2024年11月⏎30日前"): the break
# (with the spaces around it) is no line break. Only after a year that is not the line's
# first text, so a year standing alone as a heading over month items keeps its line.
_DIGIT = "0-9０-９〇○零一二三四五六七八九"
# The break comes first (a regex looking for it skips to 年/月 at once), then the date
# before it is checked.
_DATE_BREAK = re.compile(r"[年月](?P<cut>[ \t\u3000\r]*\n[ \t\u3000]*)")
_DATE_BEFORE = re.compile(rf"[^\s][{_DIGIT}]{{4}}\s?年(?:[{_DIGIT}十]{{1,3}}\s?月)?$")
# Circled and parenthesised numbers are outline markers (① ⑴); NFKC would flatten them
# into plain digits and lose the outline level, so they are kept as they are.
_KEEP = re.compile(r"[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")


@lru_cache(maxsize=1)
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s.json")


def to_simplified(text: str) -> str:
    return _converter().convert(text)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Normalised:
    """The analysis form of ``original`` and, per analysis character, its source span.

    Each analysis character comes from one original character, so its span ends one after
    it starts: ``ends`` is worked out when asked for, not stored."""

    original: str
    text: str
    starts: tuple[int, ...]

    @property
    def ends(self) -> tuple[int, ...]:
        return tuple(map((1).__add__, self.starts))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span [start, end) of ``text`` to the span of ``original`` it came from."""
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        if start == end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.starts[end - 1] + 1

    def original_text(self, start: int, end: int) -> str:
        a, b = self.to_original(start, end)
        return self.original[a:b]


def normalise(original: str) -> Normalised:
    """Build the analysis form.

    1. Drop pinyin annotations and line breaks inside dates (their characters map to
       nothing).
    2. NFKC character by character, keeping outline markers; a character that expands
       ("㎡" → "m2") maps every output character to the one source character.
    3. OpenCC t2s line by line; a line whose length OpenCC changes (a rare phrase
       conversion) is converted character by character so the map stays exact.

    Steps 1 and 2 never loop over characters in Python: NFKC is asked only about the
    distinct characters outside the blocks it leaves alone, the few it changes are
    replaced throughout, and the map is the kept positions, repeated where one expands.
    """
    spans = list(map(re.Match.span, PINYIN.finditer(original)))
    if "\n" in original and (cuts := _date_cuts(original)):
        spans = sorted(spans + cuts)
    bounds = [0, *itertools.chain.from_iterable(spans), len(original)]
    runs = bounds[0::2], bounds[1::2]  # where each run between annotations starts, ends
    kept = "".join(map(original.__getitem__, map(slice, *runs))) if spans else original
    starts = tuple(itertools.chain.from_iterable(map(range, *runs)))
    folds = _folds(kept)
    wide = {ch: len(out) for ch, out in folds.items() if len(out) != 1}
    if wide:
        starts = _widened(starts, kept, wide)
    simplified = _simplify_exactly(_folded(kept, folds))
    return Normalised(original=original, text=simplified, starts=starts)


_AFTER_YEAR = re.compile(rf"[{_DIGIT}十]{{1,3}}\s?月|底|末")
_AFTER_MONTH = re.compile(rf"[{_DIGIT}十]{{1,3}}\s?[日号]|底|末|上旬|中旬|下旬")


def _date_cuts(original: str) -> list[tuple[int, int]]:
    """The line breaks inside dates, as spans to drop; a month cut after a year ("2024年⏎
    11月") or a day after a month ("11月⏎30日")."""
    cuts = []
    for m in _DATE_BREAK.finditer(original):
        at, end = m.span("cut")
        # After a year a month (or 底/末) follows; after a month, a day (or 底/末/旬).
        after = _AFTER_YEAR if original[at - 1] == "年" else _AFTER_MONTH
        if after.match(original, end) and _DATE_BEFORE.search(original[max(0, at - 12) : at]):
            cuts.append((at, end))
    return cuts


def _widened(starts: tuple[int, ...], text: str, wide: dict[str, int]) -> tuple[int, ...]:
    """``starts`` (one per character of ``text``) once each character NFKC expands
    stands for as many analysis characters as ``wide`` says it becomes."""
    pieces: list[tuple[int, ...]] = []
    previous = 0
    for m in re.finditer(f"[{re.escape(''.join(wide))}]", text):
        at = m.start()
        pieces += (starts[previous : at + 1], (starts[at],) * (wide[m.group()] - 1))
        previous = at + 1
    pieces.append(starts[previous:])
    return tuple(itertools.chain.from_iterable(pieces))


def _folded(text: str, folds: dict[str, str]) -> str:
    """``text`` with each character NFKC changes replaced by its NFKC form. No output
    contains a character NFKC would change, so replacing one after the other is exact."""
    if len(folds) > 8:
        return text.translate({ord(ch): out for ch, out in folds.items()})
    for ch, out in folds.items():
        text = text.replace(ch, out)
    return text


# Characters NFKC leaves as they are, by block: ASCII, the CJK unified ideographs and the
# punctuation of Chinese text (、。〈〉《》「」『』【】 ‘’ “” — · ×); a test checks each one.
_STABLE_CHARS = (
    "\x00-\x7f\u4e00-\u9fff\u3001\u3002\u3008-\u3011\u2018\u2019\u201c\u201d\u2014\xb7\xd7"
)


@lru_cache(maxsize=1)
def _stable() -> re.Pattern[str]:
    """Runs of _STABLE_CHARS (compiled when first needed, not on import)."""
    return re.compile(f"[{_STABLE_CHARS}]+")


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    if _KEEP.match(ch):
        return ch
    return unicodedata.normalize("NFKC", ch) or ch


def _folds(text: str) -> dict[str, str]:
    """The characters of ``text`` that NFKC changes, each with what it becomes."""
    if unicodedata.is_normalized("NFKC", text):
        return {}  # a character NFKC changes never stands in NFKC-normalised text
    out: dict[str, str] = {}
    for ch in set(_stable().sub("", text)):
        if (folded := _fold(ch)) != ch:
            out[ch] = folded
    return out


def _simplify_exactly(text: str) -> str:
    whole = to_simplified(text)
    if len(whole) == len(text):
        return whole
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        converted = to_simplified(line)
        if len(converted) != len(line):
            converted = "".join(c if len(c := to_simplified(ch)) == 1 else ch for ch in line)
        out.append(converted)
    return "\n".join(out)
