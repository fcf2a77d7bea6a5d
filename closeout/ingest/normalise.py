"""Normalisation (规范化) for analysis, with an offset map back to the original text.

The analysis form is: scraped pinyin annotations removed ("生態(tài)環(huán)境" → "生態環境"),
NFKC (full-width punctuation and digits → ASCII), traditional → simplified (OpenCC t2s).
Every character of the analysis form remembers the original character it came from, so
any span found in the analysis form maps back to a span of the verbatim original.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# A pinyin annotation scraped from a ruby-annotated page: "(tài)" after a character (Han,
# or the mojibake such pages also carry). A tone-marked vowel is required so that
# "(PM2.5)", "(a)" or "(ppp)" stay.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
PINYIN = re.compile(rf"(?<=\S)[(（]([a-zü{_TONED}]{{0,5}}[{_TONED}][a-zü{_TONED}]{{0,5}})[)）]")
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
    """The analysis form of ``original`` and, per analysis character, its source span."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span [start, end) of ``text`` to the span of ``original`` it came from."""
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        if start == end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def original_text(self, start: int, end: int) -> str:
        a, b = self.to_original(start, end)
        return self.original[a:b]


def normalise(original: str) -> Normalised:
    """Build the analysis form.

    1. Drop pinyin annotations (their characters map to nothing).
    2. NFKC character by character, keeping outline markers; a character that expands
       ("㎡" → "m2") maps every output character to the one source character.
    3. OpenCC t2s line by line; a line whose length OpenCC changes (a rare phrase
       conversion) is converted character by character so the map stays exact.
    """
    keep = [True] * len(original)
    for match in PINYIN.finditer(original):
        for i in range(match.start(), match.end()):
            keep[i] = False
    chars: list[str] = []
    starts: list[int] = []
    for i, ch in enumerate(original):
        if not keep[i]:
            continue
        keep_as_is = ch.isascii() or _KEEP.match(ch)
        out = ch if keep_as_is else unicodedata.normalize("NFKC", ch) or ch
        for piece in out:
            chars.append(piece)
            starts.append(i)
    folded = "".join(chars)
    simplified = _simplify_exactly(folded)
    ends = tuple(i + 1 for i in starts)
    return Normalised(original=original, text=simplified, starts=tuple(starts), ends=ends)


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
