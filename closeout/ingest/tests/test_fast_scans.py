"""The bracket and list scanners skip to the characters they act on; each must split and
pair exactly as the plain character-by-character loop it replaced."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closeout.ingest.brackets import (
    _CLAUSE_SEP,
    _PAIR,
    _VERB_LAST,
    _VERBS,
    CLOSERS,
    OPENERS,
    VERB,
    _clauses,
    _pairs,
)
from closeout.ingest.brackets import _split_items as split_items
from closeout.ingest.deadlines import (
    _ISO_HINT,
    _STOP,
    _TAIL_HINT,
    ISO,
    TAIL_ALONE,
    YEAR,
    _first_clause,
    _sentence_before,
    _trim,
)
from closeout.ingest.inline import _run_end
from closeout.ingest.outline import (
    _ENUMERATION_HINT,
    _MARKER_START,
    ENUMERATION,
    MARKERS,
    Line,
    lines_of,
)
from closeout.ingest.parse import _bigrams, _key, _mark_duplicates, parse
from closeout.ingest.result import Task
from closeout.ingest.singles import _LABEL
from closeout.ingest.tests.conftest import seed_path
from closeout.ingest.units import _split_top as split_top

_SPACED_LABEL = re.compile(r"\s+(?=[\u4e00-\u9fff]{2,14}\s*:)")


def pairs_reference(text: str) -> list[tuple[int, int]]:
    stack: list[tuple[int, str]] = []
    out: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if ch in _PAIR:
            stack.append((i, _PAIR[ch]))
        elif ch in CLOSERS:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][1] == ch:
                    out.append((stack[k][0], i))
                    del stack[k:]
                    break
    return sorted(out)


def clauses_reference(inner: str) -> list[tuple[int, str]]:
    spaced = {m.start() for m in _SPACED_LABEL.finditer(inner)} if ":" in inner else set()
    parts: list[tuple[int, str]] = []
    depth, begin = 0, 0
    for i, ch in enumerate(inner):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
        elif depth == 0 and (ch in _CLAUSE_SEP or (i in spaced and ":" in inner[begin:i])):
            parts.append((begin, inner[begin:i]))
            begin = i + 1
    parts.append((begin, inner[begin:]))
    return [(at, part) for at, part in parts if part.strip()]


def items_reference(text: str) -> list[str]:
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
        if ch == "、" and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return items


def split_top_reference(text: str, seps: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "([{【〔":
            depth += 1
        elif ch in ")]}】〕" and depth:
            depth -= 1
        if ch in seps and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def run_end_reference(text: str, i: int) -> int:
    lines = lines_of(text)
    if not any(ch in lines[i].text for ch in OPENERS):
        return i + 1
    depth = 0
    for j in range(i, min(i + 4, len(lines))):
        if j > i and lines[j].kind not in {"text", "heading"}:
            break
        for ch in lines[j].text:
            if ch in OPENERS:
                depth += 1
            elif ch in CLOSERS and depth:
                depth -= 1
        if depth == 0:
            return j + 1
    return i + 1


_TOKENS = ["市水务局", "牵头单位", "责任单位", "A", "、", ",", ";", "。", ":", " ", "\u3000", "\n",
           *"()[]〔〕【】〖〗{}"]  # fmt: skip
_TEXT = st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join)


@given(_TEXT)
def test_bracket_pairs_are_found_as_by_the_character_loop(text):
    assert _pairs(text) == pairs_reference(text)


@given(_TEXT)
def test_clauses_are_cut_as_by_the_character_loop(text):
    assert _clauses(text) == clauses_reference(text)


def test_a_space_before_a_label_cuts_a_clause():
    inner = "牵头单位:市生态环境局 配合单位:市公安局"
    assert _clauses(inner) == [(0, "牵头单位:市生态环境局"), (12, "配合单位:市公安局")]


@given(_TEXT)
def test_items_are_split_as_by_the_character_loop(text):
    assert split_items(text) == items_reference(text)


@given(_TEXT, st.sampled_from([",;", "、"]))
def test_unit_lists_are_split_as_by_the_character_loop(text, seps):
    assert split_top(text, seps) == split_top_reference(text, seps)


@given(_TEXT, st.integers(0, 5))
def test_a_bracket_run_ends_where_the_character_loop_ends_it(text, i):
    lines = lines_of(text)
    if i < len(lines):
        assert _run_end(lines, i) == run_end_reference(text, i)


@pytest.mark.parametrize(
    ("text", "seps", "parts"),
    [
        ("市环保局、各县(区、市)政府", "、", ["市环保局", "各县(区、市)政府"]),
        ("A局】、B局(C、D)、E局", "、", ["A局】", "B局(C、D)", "E局"]),
        ("A局,B局;【C,D】", ",;", ["A局", "B局", "【C,D】"]),
    ],
)
def test_unit_lists_split_outside_brackets_only(text, seps, parts):
    assert split_top(text, seps) == parts


def duplicates_reference(tasks: list[Task]) -> list[int | None]:
    """Each task's original by the plain bigram Jaccard over the same candidates."""
    keys = [_key(t) for t in tasks]
    by_head: dict[str, list[int]] = {}
    by_tail: dict[str, list[int]] = {}
    out: list[int | None] = []
    for i, key in enumerate(keys):
        original = None
        if len(key) >= 8:
            for j in by_head.get(key[:8], []) + by_tail.get(key[-8:], []):
                a, b = _bigrams(key), _bigrams(keys[j])
                if a and len(a & b) / len(a | b) >= 0.85:
                    original = tasks[j].seq
                    break
            if original is None:
                by_head.setdefault(key[:8], []).append(i)
                by_tail.setdefault(key[-8:], []).append(i)
        out.append(original)
    return out


@pytest.mark.parametrize("number", ["000", "003", "004"])
def test_duplicates_are_marked_as_by_the_plain_jaccard(number):
    tasks = [dataclasses.replace(t, duplicate_of=None) for t in parse(seed_path(number)).tasks]
    marked = [t.duplicate_of for t in _mark_duplicates(tasks)]
    assert marked == duplicates_reference(tasks)
    assert number != "004" or any(marked)  # the compilation repeats a plan


_STEM = "推进城市黑臭水体治理工作建成污水处理设施"


@given(st.lists(st.tuples(st.integers(4, len(_STEM)), st.text("管网改造建设完成", max_size=8)),
                min_size=2, max_size=6))  # fmt: skip
def test_near_repeats_of_any_length_are_marked_as_by_the_plain_jaccard(variants):
    base = parse(seed_path("001")).tasks[0]
    tasks = [
        dataclasses.replace(base, seq=k + 1, text=_STEM[:cut] + tail, duplicate_of=None)
        for k, (cut, tail) in enumerate(variants)
    ]
    assert [t.duplicate_of for t in _mark_duplicates(tasks)] == duplicates_reference(tasks)


_CLAUSE_TOKENS = ["市水务局", "各县区党委", "、", "政府", "由", "等单位", "牵头", "配合", "负责",
                  "负责落实", "督办", "工作", "参与", "协助", "x"]  # fmt: skip


@given(st.lists(st.sampled_from(_CLAUSE_TOKENS), max_size=8).map("".join))
def test_a_clause_not_ending_as_a_verb_does_is_no_verb_clause(clause):
    if clause[-1:] not in _VERB_LAST:
        assert VERB.match(clause) is None


def test_every_verb_clause_ends_with_a_listed_character():
    words = [word for pattern, _ in _VERBS for word in pattern.split("|")]
    for clause in [f"市水务局{w}" for w in words] + [f"由市水务局{w}工作" for w in words]:
        assert VERB.match(clause) is not None and clause[-1] in _VERB_LAST


@given(st.text(alphabet="一二十三是要,。 x\n", max_size=20))
def test_text_without_the_enumeration_hint_holds_no_enumeration(text):
    if _ENUMERATION_HINT.search(text) is None:
        assert ENUMERATION.search(text) is None


_CLAUSE_TEXT = st.text(alphabet=" \n,:、;()。!?字年", max_size=30)


@given(_CLAUSE_TEXT)
def test_the_first_clause_is_the_first_piece_of_the_trimmed_text(text):
    assert _first_clause(text) == _STOP.split(_trim(text), maxsplit=1)[0]


@given(_CLAUSE_TEXT, st.integers(0, 30))
def test_the_sentence_before_starts_after_the_last_stop(text, start):
    cut = max((m.end() for m in _STOP.finditer(text, 0, start)), default=0)
    assert _sentence_before(text, start) == text[cut:start]


_DATE_TOKENS = ["2024", "年", "月", "底", "末", "上半", "季度", "第三", "一", "十二", "-", ".", "/",
                "今", "本", "明", "前", "中", "日", "号", "至", " ", "字"]  # fmt: skip


@given(st.lists(st.sampled_from(_DATE_TOKENS), max_size=10).map("".join))
def test_a_text_without_a_date_pattern_hint_holds_no_such_date(text):
    if "年" not in text:
        assert YEAR.search(text) is None
    if _ISO_HINT.search(text) is None:
        assert ISO.search(text) is None
    if _TAIL_HINT.search(text) is None:
        assert TAIL_ALONE.search(text) is None


def test_a_line_as_another_kind_is_what_replace_gives():
    # Every field set apart from its default, so a field as_kind failed to pass on shows.
    line = Line(3, 10, 40, "1.推进整治。细化措施", "heading", 3, "1", "推进整治", "细化措施", 17)
    assert len(dataclasses.fields(Line)) == 10
    for kind in ("taken", "table", "blank"):
        assert line.as_kind(kind) == dataclasses.replace(line, kind=kind)


_LINE_TOKENS = [" ", "\u3000", "一", "十二", "、", ".", "(", ")", "第", "项", "3", "12", "①", "⑴",
                "❶", "字", "%", ":"]  # fmt: skip


@given(st.lists(st.sampled_from(_LINE_TOKENS), max_size=8).map("".join))
def test_a_line_not_opening_as_a_marker_does_matches_no_marker(raw):
    if _MARKER_START.match(raw) is None:
        assert all(pattern.match(raw) is None for pattern, _ in MARKERS)


@pytest.mark.parametrize(
    "raw",
    [
        "一、总体要求",
        " (一)指导思想",
        "第一项 任务",
        "第3项:",
        "1.加强监管",
        "(12)落实",
        "①推进",
        "⑴核查",
    ],
)
def test_every_marker_kind_opens_as_the_marker_start_says(raw):
    assert any(pattern.match(raw) for pattern, _ in MARKERS)
    assert _MARKER_START.match(raw) is not None


@given(st.lists(st.sampled_from(["整改措施", "一、", "(一)", "【", "】", ":", " ", "\u3000", "\t",
                                 "有力", "x"]), max_size=8).map("".join))  # fmt: skip
def test_a_label_match_leaves_nothing_or_more_than_whitespace(text):
    m = _LABEL.match(text)
    if m is not None:
        assert bool(text[m.end() :].strip()) == (m.end() < len(text))
