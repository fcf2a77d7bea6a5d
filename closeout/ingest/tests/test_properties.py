"""Properties of the text layout detectors (hypothesis): what a document means does not
change when its punctuation switches between full and half width, or when a bracket group
is broken over two lines (as PDF exports and narrow Word columns do)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closeout.ingest.brackets import responsibility_groups
from closeout.ingest.normalise import normalise
from closeout.ingest.parse import parse
from closeout.ingest.result import ParseResult
from closeout.ingest.tests.test_families import CASES

DOCUMENTS = [text for text, _ in CASES.values()]
WIDTH = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "（": "(", "）": ")", "，": ",",
         "：": ":", "；": ";"}  # fmt: skip
_OFFSETS = re.compile(r"\d+")


def meaning(result: ParseResult) -> list[tuple[object, ...]]:
    """What a reviewer checks, without offsets: texts, problems, parties, deadlines, flags."""
    out: list[tuple[object, ...]] = []
    for t in result.tasks:
        parties = tuple(
            tuple(p.name for p in group)
            for group in (t.lead_units, t.coop_units, t.persons, t.supervising_units)
        )
        deadline = (t.deadline.due, t.deadline.immediate, t.deadline.ongoing)
        flags = tuple(_OFFSETS.sub("N", "".join(f.split())) for f in t.flags)
        problem = (t.problem.number, "".join(t.problem.title.split()))
        out.append(("".join(t.text.split()), problem, parties, deadline, flags, t.duplicate_of))
    return out


def _parse(text: str) -> ParseResult:
    return parse(text.encode("utf-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(DOCUMENTS), st.data())
def test_switching_punctuation_width_changes_nothing(text, data):
    positions = [i for i, ch in enumerate(text) if ch in WIDTH]
    flips = data.draw(st.lists(st.booleans(), min_size=len(positions), max_size=len(positions)))
    chars = list(text)
    for i, flip in zip(positions, flips, strict=True):
        if flip:
            chars[i] = WIDTH[chars[i]]
    assert meaning(_parse("".join(chars))) == meaning(_parse(text))


def _group_insides(text: str) -> list[int]:
    """Offsets strictly inside a bracket group of ``text`` (its lines normalise one to one)."""
    out: list[int] = []
    at = 0
    for line in text.split("\n"):
        analysed = normalise(line).text
        groups = responsibility_groups(analysed, 0) if len(analysed) == len(line) else []
        for group in groups:
            out.extend(at + k for k in range(group.start + 1, group.end - 1))
        at += len(line) + 1
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(DOCUMENTS), st.data())
def test_a_bracket_group_broken_over_two_lines_reads_the_same(text, data):
    insides = _group_insides(text)
    if not insides:
        return
    cut = data.draw(st.sampled_from(insides))
    broken = text[:cut] + "\n" + text[cut:]
    assert meaning(_parse(broken)) == meaning(_parse(text))


def test_every_document_here_has_groups_to_break():
    assert sum(bool(_group_insides(text)) for text in DOCUMENTS) >= 4


def test_every_break_inside_every_group_of_these_documents_reads_the_same():
    # The exhaustive form of the property above, for the documents written here.
    for text in DOCUMENTS:
        expected = meaning(_parse(text))
        for cut in _group_insides(text):
            broken = text[:cut] + "\n" + text[cut:]
            assert meaning(_parse(broken)) == expected, (text[cut - 12 : cut], text[cut:][:8])
