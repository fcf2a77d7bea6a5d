"""Deadlines (整改时限): a raw phrase to a due date and the immediate/ongoing flags.

A phrase that yields neither a date nor a flag is returned unparsed with a reason;
the parser never invents a date. Forms handled: exact dates (Arabic or Chinese
numerals, ISO-like), months (→ last day), 月底, 年底/年底前/年年底/年末 (→ Dec 31),
上半年/年中 (→ Jun 30), 下半年 (→ Dec 31), quarters, year ranges (the end year), a bare
year (→ Dec 31), and the flags 立行立改/立即整改 (immediate) and 长期坚持/持续推进/防止反弹
(ongoing), in any combination. Several dates: the latest one is the deadline.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from closeout.ingest.normalise import normalise
from closeout.ingest.numerals import CN_NUMBER, cn_int

IMMEDIATE = re.compile(
    r"立行立改|立即整改|立即执行|立即开展|立即落实|即知即改|立查立改|即查即改|马上就改"
)
ONGOING = re.compile(
    r"长期(?:坚持|推进|开展|执行|保持|落实)|持续(?:推进|开展|整改|实施|加强|改善|落实|抓好)"
    r"|防止反弹|常态化|久久为功|常抓不懈|每年|每季度|每月|逐年|长期"
)
_N = rf"(?:\d{{1,2}}|[{CN_NUMBER}]{{1,3}})"
_Y = r"(?<![\d〇○零一二三四五六七八九])(\d{4}|[〇○零一二三四五六七八九]{4})"
QUARTER = r"(?:第)?([一二三四1-4])季度"
DATE = re.compile(
    _Y + r"\s*年?"
    r"(?:\s*[-—–~至到]\s*(\d{4})\s*年)?"  # year range: the end year
    r"(?:"
    rf"\s*({_N})\s*月\s*(?:({_N})\s*[日号]|(底|末|份|中旬|下旬|上旬))?"
    r"|\s*(上半年|下半年|年中|年底|年末|底|末|前三季度|" + QUARTER + r")"
    r")?"
)
ISO = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})(?:[-./](\d{1,2}))?(?!\d)")
# "至5月6日" after a full date: the end of a range within the same year.
RANGE_END = re.compile(rf"^\s*[-—–~至到]\s*({_N})\s*月\s*(?:({_N})\s*[日号]|(底|末))?")
RELATIVE = re.compile(r"\d+\s*(?:个)?(?:月|年|日|天|周|工作日)(?:内|以内)")
PLACEHOLDER = re.compile(r"[×*xX＊]{1,2}\s*[年月日]|[年月]\s*[×*xX＊]")


@dataclass(frozen=True, slots=True)
class Deadline:
    """``parsed`` is False when nothing in ``raw`` could be read; ``note`` says why."""

    raw: str | None
    due: date | None = None
    immediate: bool = False
    ongoing: bool = False
    note: str | None = None

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


def _dates(text: str) -> tuple[list[date], list[str]]:
    found: list[date] = []
    problems: list[str] = []
    for m in DATE.finditer(text):
        year = cn_int(m.group(2) or m.group(1))
        if year is None:
            continue
        month_s, day_s, period, quarter = m.group(3, 4, 6, 7)
        suffix_start = m.end()
        due: date | None
        if month_s:
            month = cn_int(month_s) or 0
            day = cn_int(day_s) if day_s else None
            due = _valid(year, month, day)
            end = RANGE_END.match(text[suffix_start:])
            if due and end:
                end_month = cn_int(end.group(1)) or 0
                end_day = cn_int(end.group(2)) if end.group(2) else None
                due = _valid(year, end_month, end_day) or due
        elif period in {"上半年", "年中"}:
            due = date(year, 6, 30)
        elif period == "前三季度":
            due = date(year, 9, 30)
        elif quarter:
            q = cn_int(quarter) or 4
            due = _month_end(year, q * 3)
        else:
            # 年底/年末/下半年/底, or a bare year ("2020年前", "到2025年"): the year's end.
            if not period and "年" not in m.group(0):
                continue  # a four-digit number that is no year (an amount, a code)
            due = date(year, 12, 31)
        if due is None:
            problems.append(f"impossible date {m.group(0)!r}")
        else:
            found.append(due)
    for m in ISO.finditer(text):
        due = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
        if due is None:
            problems.append(f"impossible date {m.group(0)!r}")
        else:
            found.append(due)
    return found, problems


def parse_deadline(raw: str | None, *, year: int | None = None) -> Deadline:
    """Parse a deadline phrase. ``year`` (the plan's year) dates a bare "年底前" or "12月底"."""
    if raw is None or not raw.strip():
        return Deadline(raw=raw, note="no deadline given")
    text = normalise(raw).text
    immediate = IMMEDIATE.search(text) is not None
    ongoing = ONGOING.search(text) is not None
    if PLACEHOLDER.search(text):
        return Deadline(raw, None, immediate, ongoing, note="date left as a placeholder (××)")
    dates, problems = _dates(text)
    if not dates and year is not None:
        month = re.search(rf"({_N})\s*月\s*(?:({_N})\s*[日号])?", text)
        if month:
            m_value = cn_int(month.group(1)) or 0
            d_value = cn_int(month.group(2)) if month.group(2) else None
            if (d := _valid(year, m_value, d_value)) is not None:
                dates.append(d)
        elif re.search(r"年底|年末|年内", text):
            dates.append(date(year, 12, 31))
        elif "上半年" in text:
            dates.append(date(year, 6, 30))
    note = None
    if problems:
        note = "; ".join(problems)
    elif len(set(dates)) > 1:
        note = "several dates; the latest is the deadline"
    if not dates and not immediate and not ongoing:
        if RELATIVE.search(text):
            note = "relative deadline (within a period); needs a start date"
        return Deadline(raw, None, False, False, note=note or "no date or flag recognised")
    return Deadline(raw, max(dates) if dates else None, immediate, ongoing, note=note)
