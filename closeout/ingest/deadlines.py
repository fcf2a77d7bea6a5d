"""Deadlines (整改时限): phrases to due dates, milestones and the immediate/ongoing flags.

``parse_deadline`` reads a deadline field (整改时限: 2024年9月底前): its dates, stages and
flags.

Dates (in Arabic, full-width or Chinese numerals, 二〇二四 / 二○二四 / 二0二四 alike):
exact days; months (→ their last day; 上旬 → the 10th, 中旬 → the 20th, 下旬/底/末 → the
last); 年底/年末/年内/下半年 (→ Dec 31); 上半年/年中 (→ Jun 30); quarters and 前三季度;
a bare year (到2025年 → Dec 31); ISO-like 2024-09-30, 2024/9/30, 2024.9. A range
(2019年6月至8月, 2024年6-9月, 2024年至2025年, 2021年12月下旬至2022年1月) is one date, its
end. A season or event of a year (2025年汛期前, 2024年春节前, 采暖季前) is a deadline but
no date: no due date, noted for a reviewer (never the year's end, which is later). A
phrase without a year (9月底前, 年底前, 第三季度) takes the year of the dated
phrase before it in the same text, else the year the plan is for (``year``: its title's
"2024年…工作要点" or the caller's), else it stays without a due date, noted "no year":
nothing is invented. The year a plan was written (``written``, its date) is no such
year — a plan signed in March 2024 may run to 2026 — so it dates only the phrases that
refer to it (今年 → that year, 明年/次年 → the next). 年内 alone is no deadline: it may
be any year of a plan.

Several dates that are no range are staged deadlines (分阶段): ``milestones`` lists them
in text order with the clause each governs ("2024年8月底前完成排查" → 完成排查), and the
due date is the latest (in a staged list, the last stage). Flags: 立行立改/立即整改/
即知即改/立即停止 … (immediate) and 长期坚持/持续推进/持续开展/常态化/每年/每季度 …
(ongoing), with or without a date ("2025年底前完成,长期坚持" is due 2025-12-31 and
ongoing).

Deadlines inside a sentence or measure are `sentencedeadlines`'s (its rules say when a
date in a sentence is a deadline).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from closeout.ingest.normalise import normalise
from closeout.ingest.numerals import CN_NUMBER, cn_int

IMMEDIATE = re.compile(
    r"立行立改|立即整改|立即执行|立即开展|立即落实|即知即改|立查立改|即查即改|马上就改"
    r"|立即(?:停止|关停|停产|纠正|拆除|取缔)"
)
ONGOING = re.compile(
    r"长期(?:坚持|推进|开展|执行|保持|落实)|持续(?:推进|开展|整改|实施|加强|改善|落实|抓好)"
    r"|防止反弹|常态化|久久为功|常抓不懈|每年|每季度|每半年|每月|每周|逐年|长期"
)
# In running text only the words that state a task's time, not its manner.
SENTENCE_IMMEDIATE = re.compile(
    r"立行立改|立即整改|即知即改|立查立改|即查即改|马上就改|立即(?:停止|关停|停产|纠正|拆除|取缔)"
)
SENTENCE_ONGOING = re.compile(
    r"(?=[长持防久常每逐])(?:长期(?:坚持|推进|开展|保持)|持续(?:推进|开展|整改|抓好)|防止反弹|久久为功|常抓不懈"
    r"|每年|每季度|每半年|每月|每周|逐年"
    # 常态化 as a manner of doing (常态化开展, 工作常态化、制度化), not an adjective of a
    # thing (常态化疫情防控) or of a mechanism to build (建立常态化宣传机制).
    r"|(?<!建立)(?<!形成)(?<!健全)(?<!完善)常态化(?:开展|推进|管理|监管|巡查|检查|执法|监测"
    r"|落实|整治|使用|运行|运营|督导|督查|排查|清理|调度|办理|实施|组织|抽查|巡护|巡检|通报"
    r"|核查|调查|监控|维护|保洁|清扫|跟踪|督办|公开|(?=[,,。;、]|$)))"
)
_CN4 = "〇○零一二三四五六七八九"
_N = rf"(?:\d{{1,2}}|[{CN_NUMBER}]{{1,3}})"
_SEP = r"\s*[-—–~至到]\s*"
_YEAR4 = rf"[{_CN4}0-9]{{4}}"
_MONTH = (
    rf"(?P<m>{_N})\s*(?:{_SEP}(?P<m2>{_N})\s*)?月份?\s*"
    rf"(?:(?P<d>{_N})\s*[日号]|(?P<part>底|末|上旬|中旬|下旬))?"
)
_QUARTER = r"(?:第)?(?P<q>[一二三四1-4])季度?(?:末|底)?"
# Each pattern opens with a lookahead on its first character: the scan stays fast.
YEAR = re.compile(
    rf"(?=[{_CN4}0-9今本明次来])(?<![{_CN4}0-9])(?:(?P<y>{_YEAR4})(?![{_CN4}0-9])\s*(?:年|(?={_SEP}{_YEAR4}\s*年))"
    r"|(?P<rel>今年|本年度?|明年|次年|来年))"
    rf"(?:{_SEP}(?P<y2>{_YEAR4})\s*年)?"
)
TAIL_AFTER_YEAR = re.compile(
    rf"\s*(?:{_MONTH}|(?P<p>上半年|下半年|年中|年底|年末|年内|前三季度|底|末|内(?!蒙)))"
    rf"|\s*{_QUARTER}"
)
TAIL_ALONE = re.compile(
    rf"(?=[\d{CN_NUMBER}上下年前第])(?<![\d{CN_NUMBER}个年余多每近])(?:{_MONTH}|(?P<p>上半年|下半年|年中|年底|年末"
    r"|前三季度)|" + _QUARTER.replace("季度?", "季度") + ")"
)
_TAIL_HINT = re.compile(r"月|半年|年中|年底|年末|季度")  # in every TAIL_ALONE match
RANGE_END = re.compile(
    rf"{_SEP}(?:(?P<m>{_N})\s*月份?\s*)?(?:(?P<d>{_N})\s*[日号]|(?P<part>底|末|上旬|中旬|下旬))?"
)
ISO = re.compile(
    r"(?=\d{4}[-./])(?<![\d.\-/])(\d{4})([-./])(\d{1,2})(?:\2(\d{1,2}))?(?![\d.\-/%])(?!\s*[万亿元吨个公米])"
)
_ISO_HINT = re.compile(r"\d{4}[-./]")  # where every ISO match starts
# Whether a text states a date at all (the layout detectors ask, not the readers).
DATE = re.compile(
    rf"{YEAR.pattern}|(?<!\d)\d{{4}}[-./]\d{{1,2}}(?!\d)|(?<![\d{CN_NUMBER}])[{CN_NUMBER}\d]{{1,3}}\s*月"
)
BEFORE = re.compile(r"\s*(?:以前|之前|前)")
# A year's season or event, not a date: 2025年汛期前, 2024年春节前, 2024年采暖季前, 入汛前.
EVENT = re.compile(r"\s*(?:[\u4e00-\u9fff]{0,3}?[期季节]|入汛|汛)\s*(?:以前|之前|前)")
RELATIVE = re.compile(r"\d+\s*(?:个)?(?:月|年|日|天|周|工作日)(?:内|以内)")
PLACEHOLDER = re.compile(r"[×*xX＊]{1,2}\s*[年月日]|[年月]\s*[×*xX＊]")
_REL_YEAR = {"今年": 0, "本年": 0, "本年度": 0, "明年": 1, "次年": 1, "来年": 1}


@dataclass(frozen=True, slots=True)
class Milestone:
    """One stage of a staged deadline: its due date, the phrase and the clause it governs."""

    due: date
    phrase: str
    clause: str
    span: tuple[int, int] | None = None

    def as_json(self) -> dict[str, object]:
        span = list(self.span) if self.span else None
        return {"due": self.due.isoformat(), "phrase": self.phrase, "clause": self.clause,
                "span": span}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Deadline:
    """``parsed`` is False when nothing in ``raw`` could be read; ``note`` says why.

    ``source`` is "field" for a deadline field, "text" when it was read from the task's
    own sentences, whose phrases ``spans`` locate (in the text the parser was given).
    """

    raw: str | None
    due: date | None = None
    immediate: bool = False
    ongoing: bool = False
    note: str | None = None
    milestones: tuple[Milestone, ...] = ()
    source: str = "field"
    spans: tuple[tuple[int, int], ...] = ()

    @property
    def parsed(self) -> bool:
        return self.due is not None or self.immediate or self.ongoing

    def as_json(self) -> dict[str, object]:
        return {
            "raw": self.raw,
            "due": self.due.isoformat() if self.due else None,
            "immediate": self.immediate,
            "ongoing": self.ongoing,
        }


@dataclass(frozen=True, slots=True)
class DeadlineMention:
    """A deadline phrase found in a text: its span in that text and what it says."""

    span: tuple[int, int]
    raw: str
    deadline: Deadline
    clause: str = ""


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    year: int | None  # None: the phrase states no year
    rel: int | None  # 今年 0, 明年 1
    tail: re.Match[str] | None
    range_end: re.Match[str] | None
    iso: tuple[int, int, int | None] | None = None
    short_iso: bool = False
    before: bool = False  # ends in 前/以前/之前
    full: bool = False  # states a day
    event: bool = False  # a season or event of the year (汛期前), which is no date


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _valid(year: int, month: int, day: int | None = None) -> date | None:
    if not (1900 <= year <= 2200 and 1 <= month <= 12):
        return None
    if day is None:
        return _month_end(year, month)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _day(year: int, month: int, match: re.Match[str]) -> date | None:
    if match.group("d"):
        return _valid(year, month, cn_int(match.group("d")) or 0)
    part = match.group("part")
    if part in {"上旬", "中旬"} and _valid(year, month):
        return date(year, month, 10 if part == "上旬" else 20)
    return _valid(year, month)


def _tail_date(year: int, tail: re.Match[str] | None) -> date | None:
    if tail is None:
        return date(year, 12, 31)
    if tail.group("m"):
        return _day(year, cn_int(tail.group("m2") or tail.group("m")) or 0, tail)
    period = tail.group("p")
    if period in {"上半年", "年中"}:
        return date(year, 6, 30)
    if period == "前三季度":
        return date(year, 9, 30)
    if tail.group("q"):
        return _month_end(year, (cn_int(tail.group("q")) or 4) * 3)
    return date(year, 12, 31)


def _resolve(
    hit: _Hit, year: int | None, written: int | None = None
) -> tuple[date | None, str | None]:
    """The hit's date; ``year`` dates a phrase that states none, ``written`` (else
    ``year``) the phrases relative to the plan's own year (今年, 明年)."""
    if hit.iso is not None:
        due = _valid(*hit.iso)
        return due, None if due else "impossible date"
    if hit.event:
        return None, "a season or event, not a date: the reviewer sets the day"
    known = hit.year
    base = year if hit.rel is None or written is None else written
    if known is None and base is not None:
        known = base + (hit.rel or 0)
    if known is None:
        return None, "no year: the phrase states none and the plan's year is unknown"
    due = _tail_date(known, hit.tail)
    end = hit.range_end
    if due is not None and end is not None:
        month = cn_int(end.group("m")) if end.group("m") else due.month
        due = _day(due.year, month or 0, end) or due
    return due, None if due else "impossible date"


def _scan(text: str) -> list[_Hit]:
    """Every date phrase of ``text`` in order, ranges merged into their end."""
    hits: list[_Hit] = []
    # Each pattern needs a character or word a text may well lack: a quick look spares
    # the slower scan (a year needs 年, an ISO date 4 digits and a separator, a tail 月 …).
    years = YEAR.finditer(text) if "年" in text else ()
    for m in years:
        rel = _REL_YEAR.get(m.group("rel") or "")
        year = cn_int(m.group("y2") or m.group("y")) if m.group("y") else None
        if m.group("y") and (year is None or "年" not in m.group(0)):
            continue
        tail = TAIL_AFTER_YEAR.match(text, m.end())
        end = tail.end() if tail else m.end()
        if rel is not None and tail is None and not m.group("rel").endswith("度"):
            continue  # 今年 alone ("今年以来") is no deadline
        event = EVENT.match(text, end) if tail is None else None
        if event is not None:
            hits.append(_Hit(m.start(), event.end(), year, rel, None, None, before=True,
                             event=True))  # fmt: skip
            continue
        hits.append(_Hit(m.start(), end, year, rel, tail, None))
    for m in ISO.finditer(text) if _ISO_HINT.search(text) else ():
        if any(a <= m.start() < b for a, b in ((h.start, h.end) for h in hits)):
            continue
        day = int(m.group(4)) if m.group(4) else None
        iso = (int(m.group(1)), int(m.group(3)), day)
        hits.append(_Hit(m.start(), m.end(), iso[0], None, None, None, iso, short_iso=day is None))
    taken = [(h.start, h.end) for h in hits]
    for m in TAIL_ALONE.finditer(text) if _TAIL_HINT.search(text) else ():
        if not any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
            hits.append(_Hit(m.start(), m.end(), None, None, m, None))
    hits.sort(key=lambda h: h.start)
    for hit in hits:
        upto = RANGE_END.match(text, hit.end)
        if hit.iso is None and upto and (upto.group("m") or upto.group("d")) and _is_month(hit):
            hit.range_end, hit.end = upto, upto.end()
        last_part = hit.range_end or hit.tail
        hit.full = bool(hit.iso and hit.iso[2]) or bool(last_part and last_part.group("d"))
        before = BEFORE.match(text, hit.end)
        if before:
            hit.before, hit.end = True, before.end()
    merged: list[_Hit] = []
    for hit in hits:
        if merged and merged[-1].end > hit.start:
            continue  # overlapping readings: the first wins
        last = merged[-1] if merged else None
        if last is not None and re.fullmatch(_SEP, text[last.end : hit.start]):
            hit.start = last.start  # "2024年6月—2024年9月": one phrase, due at its end
            merged[-1] = hit
            continue
        merged.append(hit)
    return merged


def _is_month(hit: _Hit) -> bool:
    return hit.tail is not None and bool(hit.tail.group("m")) and not hit.tail.group("m2")


def _clause(text: str, hits: list[tuple[int, int]], i: int) -> str:
    """The words a date governs: after it up to the next stop or date, else before it."""
    start, end = hits[i]
    stop = hits[i + 1][0] if i + 1 < len(hits) else len(text)
    after = _trim(_STOP.split(_trim(text[end:stop]), maxsplit=1)[0])
    if after:
        return after[:60]
    begin = hits[i - 1][1] if i else 0
    return _trim(_STOP.split(text[begin:start])[-1])[-60:]


def _trim(text: str) -> str:
    return _EDGE.sub("", text)


def _first_clause(text: str) -> str:
    """``_STOP.split(_trim(text), maxsplit=1)[0]``, reading ``text`` only up to its first
    stop (trimming the whole of a long text for each date in it was quadratic)."""
    lead = _EDGES.match(text)
    body = text[lead.end() :] if lead else text
    stop = _STOP.search(body)
    if stop is None:
        return _trim(body)
    if _EDGES.fullmatch(body, stop.start()):  # only edge characters from the stop on
        return _trim(body[: stop.start()])
    return body[: stop.start()]


def _milestones(
    text: str, dated: list[tuple[int, int, date]], spans: list[tuple[int, int]] | None = None
) -> tuple[Milestone, ...]:
    if len({due for _, _, due in dated}) < 2:
        return ()
    pairs = [(a, b) for a, b, _ in dated]
    return tuple(
        Milestone(due, text[a:b], _clause(text, pairs, i), spans[i] if spans else None)
        for i, (a, b, due) in enumerate(dated)
    )


_EDGE = re.compile(r"^[\s,,:、;()]+|[\s,,:、;()]+$")
_EDGES = re.compile(r"[\s,,:、;()]+")
_STOPS = ";。!?\n"
_STOP = re.compile(f"[{_STOPS}]")
_RECURRING = re.compile(r"(?:每年|每季度|每半年|每月|每周|逐年)[^,,;。]{0,8}$")
# The dates listed after a recurring word recur too: 每年3月15日至6月15日、9月15日至11月15日.
_DAY = rf"{_N}\s*月份?\s*(?:{_N}\s*[日号]|底|末|上旬|中旬|下旬)?"
_DATE_LIST = re.compile(rf"(?:{_DAY}(?:{_SEP}(?:次年)?{_DAY})?\s*[、,和及]\s*)+$")


def _recurs(before: str) -> bool:
    """Whether the words before a date (in its sentence) make it a recurring season."""
    if "每" not in before and "逐年" not in before:
        return False
    return _RECURRING.search(_DATE_LIST.sub("", before)) is not None


def _sentence_before(text: str, start: int) -> str:
    """``text`` before ``start`` back to the last _STOP character (found from the end)."""
    cut = max(text.rfind(stop, 0, start) for stop in _STOPS) + 1
    return text[cut:start]


_STAGED = "several dates (staged): milestones in order; the latest is the deadline"


@lru_cache(maxsize=4096)
def parse_deadline(
    raw: str | None, *, year: int | None = None, written: int | None = None
) -> Deadline:
    """Parse a deadline phrase. ``year`` (the year the plan is for) dates a bare "年底前" or
    "12月底"; ``written`` (the year of the plan's date, else ``year``) dates 今年 and 明年.

    Plans repeat the same phrases, and a deadline is immutable, so each is remembered."""
    if raw is None or not raw.strip():
        return Deadline(raw=raw, note="no deadline given")
    text = normalise(raw).text
    immediate = IMMEDIATE.search(text) is not None
    ongoing = ONGOING.search(text) is not None
    if PLACEHOLDER.search(text):
        return Deadline(raw, None, immediate, ongoing, note="date left as a placeholder (××)")
    dated: list[tuple[int, int, date]] = []
    problems: list[str] = []
    for hit in _scan(text):
        if _recurs(_sentence_before(text, hit.start)):
            continue  # 每年11月至次年3月: a season that recurs, no deadline
        due, problem = _resolve(hit, year, written)
        if due is None:
            problems.append(f"{problem} {text[hit.start : hit.end]!r}")
        else:
            dated.append((hit.start, hit.end, due))
            if hit.year is not None:
                year = due.year  # a later stage without a year is in this one's
    dates = [due for _, _, due in dated]
    note = "; ".join(problems) if problems else None
    milestones = _milestones(text, dated)
    if milestones and note is None:
        note = _STAGED
    if not dates and not immediate and not ongoing:
        if RELATIVE.search(text):
            note = "relative deadline (within a period); needs a start date"
        return Deadline(raw, None, False, False, note=note or "no date or flag recognised")
    return Deadline(raw, max(dates) if dates else None, immediate, ongoing, note, milestones)
