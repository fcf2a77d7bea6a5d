"""Deadlines inside sentences: ``find_deadlines`` finds the deadline phrases of a sentence
or measure ("2024年9月底前,基本完成…"), each with its span in the text given;
``deadline_of`` turns those mentions into the task's one ``Deadline``; ``text_deadline``
and ``text_flags`` read a task's own text. The phrases themselves are read as
`deadlines` reads a field.

In a sentence (``find_deadlines``), a date is a deadline unless its context says it is
something else. In order:

1. a document's title: inside 《…》, or "(2018—2020年)" after 规划/计划/方案/行动/纲要;
2. a year used as an attribute: 2023年度考核, (2018年修正), 2022年省委…督察 (rule 8
   drops the last);
3. a start, not an end: 自/从 before it, or 以来/至今/起/开始/以后 after it; a season that
   recurs (每年11月至次年3月: ongoing, no due date, in a field too);
4. a status as of: 截至/截止到 before it (截止 too, unless the date ends in 前);
5. a baseline: 较/比/相比/相较/对比/同比/与/以 before it, or 相比/基础上/为基准/水平/同期
   after it (较2020年下降18%);
6. a document's own date: after a 发布/印发/成文 … 日期/时间 label, or a full date alone on
   its line (the date under a signature); the period of a notice (公示期/公告时间 …);
7. a date that ends in 前/以前/之前, follows a marker of intent (到/力争/确保/争取/最迟/
   不晚于/要在/将于/计划/预计) or a deadline label (完成时间:) is a deadline;
8. any other date (2023年, / 2021年6月至7月, / 于2021年6月 / 2024年城市污水…) is a
   deadline only when its clause states a target (完成/达到/实现/建成/控制在/不低于/
   以上/全面/开展 …) or, after a date set off by a comma or a period (2023年9月至2024年
   10月分批实施), any work (整治/排查/推进/编制 …), states no past (了/已/累计/共计/
   同比/先后/以来/发现, an inspection team 督察组/巡视组 or its 进驻/反馈), and its year
   is not before the plan's:
   "2023年,我市累计完成造林5万亩" and "2021年6月至7月,中央第三生态环境保护督察组…" are
   narration, "2023年,我市…" in a 2024 plan is the past. A two-part ISO form (2024.5)
   counts only under rule 7, so amounts are never dates.

Flags in a sentence count unless they state a principle (按照/坚持/本着/遵循 … before
them, 的原则/要求/方针 after them: "按照立行立改、长期坚持的原则"); 长期 alone
(长期以来) is no flag in a sentence, nor 常态化 as an adjective (常态化疫情防控,
建立常态化…机制) rather than a manner of working (常态化开展, 工作常态化、制度化).
"""

from __future__ import annotations

import bisect
import re
from datetime import date

from closeout.ingest.deadlines import (
    _SEP,
    _STAGED,
    _STOP,
    SENTENCE_IMMEDIATE,
    SENTENCE_ONGOING,
    Deadline,
    DeadlineMention,
    Milestone,
    _clause,
    _first_clause,
    _Hit,
    _recurs,
    _resolve,
    _scan,
    _sentence_before,
)
from closeout.ingest.normalise import Normalised, normalise

_TITLE_BEFORE = re.compile(r"(?:规划|计划|方案|行动|纲要|意见)\s*[(]\s*$")
_SINCE_BEFORE = re.compile(r"(?:自|从|自从)\s*$")
_SINCE_AFTER = re.compile(r"\s*(?:以来|至今|起|开始|以后)")
_STATUS_BEFORE = re.compile(r"(?:截至|截止到|截止目前|截止)\s*$")
_BASE_BEFORE = re.compile(r"(?:较|比|相比|相较于?|对比|同比|与|以|比照)\s*$")
_BASE_AFTER = re.compile(r"\s*(?:相比|比较|为基准|为基数|基础上|的基础上|水平|同期)")
_ISSUED = re.compile(
    r"(?:发布|印发|发文|成文|公开|公布|更新|生成|签发|制发)(?:日期|时间)\s*[:]?\s*$"
)
_INTENT = re.compile(
    r"(?:到|力争|确保|争取|最迟|不晚于|不迟于|务必|要在|要于|将在|将于|计划|预计|拟)"
    r"\s*(?:在|于)?\s*$"
)
_LABEL = re.compile(r"(?:完成|整改|办结|落实)?(?:时限|时间|期限)\s*[:]\s*$")
_WORK = re.compile(
    r"完成|达到|达|实现|建成|建立|形成|控制在|降至|降到|下降|减少|提高|提升|不低于|不高于"
    r"|不超过|以上|以下|以内|全部|全面|基本|消除|新增|新建|改造|开展|启动|销号|到位|确保|力争"
)
# After a time adverbial ("2019年8月至10月,集中整治…") any work verb will do.
_ACTION = re.compile(
    r"整治|治理|整改|排查|清理|关停|淘汰|拆除|取缔|推进|实施|落实|建设|编制|制定|出台|印发"
    r"|组织|督导|验收|修复|复绿|核查|摸排"
)
_NOTICE = re.compile(r"(?:公示|公告|征求意见)(?:期|时间|期限|日期)?\s*(?:为|是|:|自)?\s*$")
_PAST = re.compile(
    r"了(?!解)|已|曾|累计|共计|先后|同比|比上年|较上年|以来|发现|进驻|督察组|巡视组|检查组"
    r"|调研组|督察期间"
)
_PRINCIPLE_BEFORE = re.compile(r"(?:按照|本着|遵循|坚持)[^,,;。]{0,10}$")
_PRINCIPLE_AFTER = re.compile(r"^[^,,;。]{0,10}?的?(?:原则|要求|方针|理念|思路)")


def _is_deadline(text: str, hit: _Hit, year: int | None, due: date | None) -> bool:
    before = text[max(0, hit.start - 12) : hit.start]
    after = text[hit.end : hit.end + 12]
    sentence = _sentence_before(text, hit.start)
    if sentence.count("《") > sentence.count("》") or (
        _TITLE_BEFORE.search(before) and re.match(r"\s*[)]", after)
    ):
        return False  # rule 1
    if after.startswith("度") and not re.match(r"度\s*(?:内|前|底)", after):
        return False  # rule 2
    if re.match(r"\s*(?:修正|修订|版)", after) or _recurs(sentence):
        return False  # rule 2: a regulation's year; rule 3: a recurring period
    if _SINCE_BEFORE.search(before) or _SINCE_AFTER.match(after):
        return False  # rule 3
    status = _STATUS_BEFORE.search(before)
    if status and (status.group(0).startswith(("截至", "截止到")) or not hit.before):
        return False  # rule 4
    if _BASE_BEFORE.search(before) or _BASE_AFTER.match(after):
        return False  # rule 5
    line_start = text.rfind("\n", 0, hit.start) + 1
    line_end = text.find("\n", hit.end)
    alone = not text[line_start : hit.start].strip() and not text[
        hit.end : line_end if line_end >= 0 else len(text)
    ].strip(" 。.")
    if _ISSUED.search(before) or _NOTICE.search(before) or (hit.full and alone):
        return False  # rule 6
    if hit.before or _INTENT.search(before) or _LABEL.search(before):
        return True  # rule 7
    if hit.short_iso:
        return False
    governed = text[hit.end :]
    adverbial = re.match(r"\s*[,,]", governed) is not None
    if adverbial:
        governed = _first_clause(governed)
    else:
        governed = re.split(r"[,,;。!?\n]", governed, maxsplit=1)[0]
    rest = _STOP.split(text[hit.end :], maxsplit=1)[0]
    if _PAST.search(rest) or _PAST.search(sentence[-12:]):
        return False
    if year is not None and hit.year is not None and due is not None and due.year < year:
        return False
    # A period (2023年9月至2024年10月分批实施) is a time adverbial without its comma too.
    ranged = hit.iso is None and re.search(_SEP, text[hit.start : hit.end]) is not None
    if (adverbial or ranged) and _ACTION.search(governed):
        return True
    return _WORK.search(governed) is not None  # rule 8


def _flag_mentions(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for kind, pattern in (("immediate", SENTENCE_IMMEDIATE), ("ongoing", SENTENCE_ONGOING)):
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            head = _sentence_before(text, m.start())
            tail = _STOP.split(text[m.end() :], maxsplit=1)[0]
            if _PRINCIPLE_BEFORE.search(head) or _PRINCIPLE_AFTER.match(tail):
                continue
            out.append((m.start(), m.end(), kind))
    return out


def text_flags(text: str) -> Deadline | None:
    """The immediate and ongoing work ``text`` (in the analysis form) states, by the rules
    for flags in a sentence (``raw`` the words that say so), or None: a task's measure
    keeps its 立即停止 or 常态化开展 even when a deadline field gives the task's date.
    逐年 (逐年推进, 逐年下降) is the pace of work towards that date, not a recurring duty,
    so it is no flag here."""
    found = [(text[a:b], kind) for a, b, kind in _flag_mentions(text, []) if text[a:b] != "逐年"]
    if not found:
        return None
    kinds = {kind for _, kind in found}
    raw = ";".join(dict.fromkeys(words for words, _ in found))
    return Deadline(raw, None, "immediate" in kinds, "ongoing" in kinds, source="text")


def find_deadlines(
    text: str, *, year: int | None = None, written: int | None = None, analysed: bool = False
) -> list[DeadlineMention]:
    """The deadline phrases of ``text`` in order, by the rules of the module docstring.

    ``year`` is the year the plan is for and ``written`` the year of its date (``year``
    when not given): a date before the latter is the past; ``analysed`` says ``text`` is
    already in the analysis form (``normalise(...).text``), which spares normalising it
    again. Spans index ``text``.
    """
    norm = None if analysed else normalise(text)
    form = text if norm is None else norm.text
    found: list[tuple[int, int, Deadline]] = []
    inherited = year
    current = written if written is not None else year
    for hit in _scan(form):
        due, problem = _resolve(hit, inherited, written)
        if not _is_deadline(form, hit, current, due):
            continue
        if due is not None and hit.year is not None:
            inherited = due.year
        raw = form[hit.start : hit.end]
        note = None if due else f"{problem} {raw!r}"
        found.append((hit.start, hit.end, Deadline(raw, due, note=note, source="text")))
    taken = [(a, b) for a, b, _ in found]
    for a, b, kind in _flag_mentions(form, taken):
        flag = Deadline(form[a:b], immediate=kind == "immediate", ongoing=kind == "ongoing")
        found.append((a, b, flag))
    found.sort(key=lambda item: item[0])
    pairs = [(a, b) for a, b, _ in found]
    out = []
    for i, (a, b, deadline) in enumerate(found):
        span = (a, b) if norm is None else norm.to_original(a, b)
        raw = text[span[0] : span[1]]
        deadline = Deadline(raw, deadline.due, deadline.immediate, deadline.ongoing,
                            deadline.note, source="text", spans=(span,))  # fmt: skip
        out.append(DeadlineMention(span, raw, deadline, _clause(form, pairs, i)))
    return out


def deadline_of(mentions: list[DeadlineMention]) -> Deadline | None:
    """One deadline from a text's mentions: the latest date is due, several dates are
    milestones in order, any flag holds; None when the text states no deadline."""
    if not mentions:
        return None
    dated = [m for m in mentions if m.deadline.due is not None]
    milestones: tuple[Milestone, ...] = ()
    if len({m.deadline.due for m in dated}) > 1:
        milestones = tuple(
            Milestone(m.deadline.due, m.raw, m.clause, m.span)  # type: ignore[arg-type]
            for m in dated
        )
    notes = [m.deadline.note for m in mentions if m.deadline.note]
    if milestones:
        notes.append(_STAGED)
    return Deadline(
        raw=";".join(dict.fromkeys(m.raw for m in mentions)),
        due=max(m.deadline.due for m in dated) if dated else None,  # type: ignore[type-var]
        immediate=any(m.deadline.immediate for m in mentions),
        ongoing=any(m.deadline.ongoing for m in mentions),
        note="; ".join(notes) or None,
        milestones=milestones,
        source="text",
        spans=tuple(m.span for m in mentions),
    )


def text_deadline(
    text: str,
    norm: Normalised,
    span: tuple[int, int],
    *,
    year: int | None,
    original: bool,
    written: int | None = None,
) -> Deadline | None:
    """The deadline a task's own text states, its spans placed in the document.

    ``text`` is the task's text in the analysis form, drawn from ``norm.text`` within
    ``span`` (which indexes the original text when ``original``, as table cells do).
    Spans that cannot be placed are dropped rather than guessed.
    """
    deadline = deadline_of(find_deadlines(text, year=year, written=written, analysed=True))
    if deadline is None:
        return None
    lo, hi = span
    if original:
        lo = bisect.bisect_left(norm.starts, lo)
        hi = bisect.bisect_left(norm.starts, hi)
    placed: dict[tuple[int, int], tuple[int, int]] = {}
    cursor = lo
    for a, b in deadline.spans:
        at = norm.text.find(text[a:b], cursor, hi)
        if at >= 0:
            placed[(a, b)] = norm.to_original(at, at + b - a)
            cursor = at + b - a
    milestones = tuple(
        Milestone(m.due, m.phrase, m.clause, placed.get(m.span) if m.span else None)
        for m in deadline.milestones
    )
    return Deadline(deadline.raw, deadline.due, deadline.immediate, deadline.ongoing,
                    deadline.note, milestones, "text", tuple(placed.values()))  # fmt: skip
