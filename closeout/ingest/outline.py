"""The outline (提纲) of a plan: plan separators, numbered headings and their content lines.

Works on the normalised analysis text (NFKC has already turned "（一）" into "(一)" and
"１．" into "1."). Each line gets a kind:

- ``separator``: a short line ending "篇一" … "篇二十二" that starts a new plan in a
  compilation (several documents in one file);
- ``heading``: a line opening with an outline marker. Levels follow the genre's fixed
  order 一、 > (一) (or 第一项) > 1. > (1) > ①, so a dropped or repeated number never re-parents
  the rest of the plan. A heading whose line goes on after its first sentence
  ("1.坚决扛起…责任。提高政治站位…") is also content: ``title`` is the first sentence and
  ``body`` the rest;
- ``text``: everything else.

一是/二是 enumerations are not headings (they run inside paragraphs and measures);
``split_enumeration`` cuts a passage at them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

CN_DIGITS = "一二三四五六七八九十"
_CN = rf"[{CN_DIGITS}]{{1,3}}"
# (pattern, level); the level is the genre's fixed rank of the marker kind.
MARKERS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"^\s*({_CN})\s*[、.,](?!\d)"), 1),
    (re.compile(rf"^\s*[(]({_CN})[)]\s*[、.]?"), 2),
    (re.compile(rf"^\s*第({_CN}|\d{{1,3}})项\s*[、.:]?"), 2),
    (re.compile(r"^\s*(\d{1,3})\s*(?:[、]|\.(?!\d))(?![\d%])"), 3),
    (re.compile(r"^\s*[(](\d{1,3})[)]\s*[、.]?"), 4),
    (re.compile(r"^\s*([\u2460-\u2473\u2474-\u2487\u2776-\u277f])"), 5),
)
# What every marker above opens with, after the line's leading whitespace: a line that
# opens otherwise is tried against none of them.
_MARKER_START = re.compile(rf"\s*[{CN_DIGITS}(第\d\u2460-\u2487\u2776-\u277f]")
SEPARATOR = re.compile(rf"篇{_CN}\s*$")
ENUMERATION = re.compile(rf"(?:^|(?<=[。;,!?\s]))({_CN})(?:是|要)(?=\S)")
# What every ENUMERATION match holds; far quicker to look for (it opens with a digit).
_ENUMERATION_HINT = re.compile(rf"[{CN_DIGITS}](?:是|要)")
_SENTENCE_END = re.compile(r"[。;!?]")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the analysis text; ``start``/``end`` index that text."""

    index: int
    start: int
    end: int
    text: str
    kind: str  # "separator" | "heading" | "text" | "blank"
    level: int = 0
    number: str | None = None
    title: str = ""
    body: str = ""
    body_start: int = 0

    def as_kind(self, kind: str) -> Line:
        """This line as another kind (what dataclasses.replace gives, without its cost:
        the layouts hide lines one by one)."""
        return Line(self.index, self.start, self.end, self.text, kind, self.level, self.number,
                    self.title, self.body, self.body_start)  # fmt: skip


@dataclass(slots=True)
class Node:
    """A heading with the lines and sub-headings under it."""

    line: Line | None
    children: list[Node] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def level(self) -> int:
        return self.line.level if self.line else 0


def classify(index: int, start: int, raw: str) -> Line:
    text = raw.strip()
    end = start + len(raw)
    if not text:
        return Line(index, start, end, raw, "blank")
    if len(text) <= 40 and SEPARATOR.search(text):
        return Line(index, start, end, raw, "separator", title=text)
    for pattern, level in MARKERS if _MARKER_START.match(raw) else ():
        m = pattern.match(raw)
        if m is None:
            continue
        rest_at = m.end()
        rest = raw[rest_at:]
        stripped = rest.lstrip()
        if not stripped:
            continue  # a bare number is no heading
        rest_at += len(rest) - len(stripped)
        stop = _SENTENCE_END.search(stripped)
        if stop is None or stop.end() == len(stripped.rstrip()):
            title, body, body_at = stripped.rstrip(), "", end
        else:
            title = stripped[: stop.start()]
            body = stripped[stop.end() :].rstrip()
            body_at = start + rest_at + stop.end()
        return Line(
            index, start, end, raw, "heading", level, m.group(1), title.rstrip("。;:"), body,
            body_at,
        )  # fmt: skip
    return Line(index, start, end, raw, "text")


def lines_of(text: str) -> list[Line]:
    out: list[Line] = []
    pos = 0
    for index, raw in enumerate(text.split("\n")):
        out.append(classify(index, pos, raw))
        pos += len(raw) + 1
    return out


def build_tree(lines: list[Line]) -> Node:
    """Nest headings by level; text lines attach to the innermost open heading."""
    root = Node(None)
    stack = [root]
    for line in lines:
        if line.kind == "heading":
            while len(stack) > 1 and stack[-1].level >= line.level:
                stack.pop()
            node = Node(line)
            stack[-1].children.append(node)
            stack.append(node)
        elif line.kind == "text":
            stack[-1].lines.append(line)
    return root


def heading_paths(lines: list[Line]) -> list[tuple[Line, ...]]:
    """For each line, the headings that enclose it (outermost first, itself included)."""
    stack: list[Line] = []
    out: list[tuple[Line, ...]] = []
    for line in lines:
        if line.kind == "separator":
            stack = []
        elif line.kind == "heading":
            while stack and stack[-1].level >= line.level:
                stack.pop()
            stack.append(line)
        out.append(tuple(stack))
    return out


def split_enumeration(text: str) -> list[tuple[int, str]]:
    """Cut a passage at 一是/二是 … markers: (offset, piece) pairs; one piece if none."""
    hinted = _ENUMERATION_HINT.search(text) is not None
    marks = [m.start() for m in ENUMERATION.finditer(text)] if hinted else []
    if len(marks) < 2 and not (marks and marks[0] == 0):
        return [(0, text)] if text.strip() else []
    cuts = ([0] if marks[0] > 0 else []) + marks + [len(text)]
    out: list[tuple[int, str]] = []
    for a, b in itertools.pairwise(cuts):
        piece = text[a:b].strip()
        if piece:
            out.append((a, piece))
    return out


def heading_label(line: Line) -> str:
    """The heading as printed: marker and title ("(一)提高站位…")."""
    return line.text.strip()[: len(line.text.strip()) - len(line.body)].strip().rstrip("。")
