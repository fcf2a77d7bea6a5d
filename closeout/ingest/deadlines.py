"""Deadlines (整改时限): phrases to due dates, milestones and the immediate/ongoing flags.

``parse_deadline`` reads a deadline field; ``find_deadlines`` finds the deadline phrases
inside a sentence or measure ("2024年9月底前,基本完成…"), each with its span in the text
given; ``deadline_of`` turns those mentions into the task's one ``Deadline``.

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
import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from closeout.ingest.normalise import Normalised, normalise
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


# ------------------------------------------------------------------ deadlines in sentences

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
_RECURRING = re.compile(r"(?:每年|每季度|每半年|每月|每周|逐年)[^,,;。]{0,8}$")
# The dates listed after a recurring word recur too: 每年3月15日至6月15日、9月15日至11月15日.
_DAY = rf"{_N}\s*月份?\s*(?:{_N}\s*[日号]|底|末|上旬|中旬|下旬)?"
_DATE_LIST = re.compile(rf"(?:{_DAY}(?:{_SEP}(?:次年)?{_DAY})?\s*[、,和及]\s*)+$")


def _recurs(before: str) -> bool:
    """Whether the words before a date (in its sentence) make it a recurring season."""
    if "每" not in before and "逐年" not in before:
        return False
    return _RECURRING.search(_DATE_LIST.sub("", before)) is not None


_NOTICE = re.compile(r"(?:公示|公告|征求意见)(?:期|时间|期限|日期)?\s*(?:为|是|:|自)?\s*$")
_PAST = re.compile(
    r"了(?!解)|已|曾|累计|共计|先后|同比|比上年|较上年|以来|发现|进驻|督察组|巡视组|检查组"
    r"|调研组|督察期间"
)
_PRINCIPLE_BEFORE = re.compile(r"(?:按照|本着|遵循|坚持)[^,,;。]{0,10}$")
_PRINCIPLE_AFTER = re.compile(r"^[^,,;。]{0,10}?的?(?:原则|要求|方针|理念|思路)")


def _sentence_before(text: str, start: int) -> str:
    """``text`` before ``start`` back to the last _STOP character (found from the end)."""
    cut = max(text.rfind(stop, 0, start) for stop in _STOPS) + 1
    return text[cut:start]


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
