"""The circular (调度通报) as a Word document: the built-in layout (GB/T 9704, through
`closeout.documents.officialdoc`) or an office's own docxtpl template.

Pure: a `CircularData` in, .docx bytes out. The same data gives the same bytes (the
official layout fixes the core properties and the zip times; a template's rendering
gets the same fixed core properties).

The built-in document: the red header (the issuing body, the number), the title
(关于全市生态环境保护督察整改工作进展情况的通报, or 关于《plan》整改工作进展情况的通报),
then 一、总体进展 (totals by schedule bucket, the change since the last period, a chart
of the bucket shares), 二、各责任单位进展排名 (table and chart), 三、滞后和逾期任务,
四、督办措施, 五、"回头看"情况, 六、下一步工作要求 (standing text), the signature and the
date (2026年12月4日).

An office's template (docxtpl: Jinja tags inside a .docx) is rendered with this
context (`context()`); every name below is defined, lists may be empty:

    title            the circular's title                     str
    issuing_body     the issuing body (发文机关)                str
    number           the document number (〔2026〕3号)          str
    date             the date, 2026年12月4日                    str
    period_start     first day of the period, 2026年11月30日    str
    period_end       last day of the period                    str
    previous_end     last day of the period compared with ("" when none)
    plan             the plan's title ("" for every plan)      str
    total            tasks counted                             int
    total_change     change since the previous period ("" when none), "+3" / "-2" / "0"
    summary          the 总体进展 paragraph as the built-in document writes it
    buckets          list of {key, label, count, share ("12.5%"), change}
    counts           {done, sustained, on_schedule, behind, overdue}: ints
    ranking          list of {rank, unit, tasks, overdue, behind, missed, rebounds}
    units_counted    lead units counted                        int
    overdue          list of {seq, plan, task, units, due, deadline, progress, days_overdue}
    overdue_total    int
    lagging          list of {seq, plan, task, units, due, deadline, progress, expected}
    lagging_total    int
    measures         list of {date, level, unit, seq, task, reason, issued_by}
    measures_total   int
    lookbacks        list of {date, seq, task, unit, months, result (未反弹/反弹), findings}
    lookbacks_total  int
    requirements     list of str: the standing text of 六、下一步工作要求
    chart_buckets    the chart of bucket shares (an InlineImage; "" without one)
    chart_ranking    the chart of the units most behind (InlineImage or "")

For example ``{{ title }}``, ``{%tr for u in ranking %}`` … ``{%tr endfor %}`` in a
table row, ``{{ chart_buckets }}`` alone in a paragraph. A tag that does not parse or a
name not in this list raises `TemplateError`, whose message names the tag.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from closeout.documents.officialdoc import Issuer, OfficialDocument, chinese_date

TITLE_ALL = "关于全市生态环境保护督察整改工作进展情况的通报"
# The schedule buckets (序时进度) by their stored value, in the order the ledger keeps.
BUCKET_WORDS = {
    "done": "已完成",
    "sustained": "已完成、长期坚持",
    "on_schedule": "达到序时进度",
    "behind": "滞后",
    "overdue": "逾期",
}
REQUIREMENTS = (
    "各责任单位要对照整改方案，倒排工期、挂图作战，对滞后和逾期任务逐项分析原因，"
    "明确整改措施、责任人和完成时限，确保按期完成整改任务。",
    "各责任单位要严格落实每周调度要求，按时报送整改进展，如实填报完成情况和佐证材料，"
    "杜绝迟报、漏报。",
    "对已完成整改的任务，要严格按照“整改一个、验收一个、销号一个、公开一个”的要求"
    "做好验收销号工作，并适时开展“回头看”，坚决防止问题反弹。",
    "整改办将持续跟踪督办，对整改不力、进度滞后的单位依规采取通报、约谈等措施。",
)
CHARTS = ("chart_buckets", "chart_ranking")
_CORE_TIME = dt.datetime(2000, 1, 1)


class TemplateError(ValueError):
    """An office's template that does not render: the message names the tag."""


@dataclass(frozen=True)
class BucketLine:
    key: str  # the stored value: done, sustained, on_schedule, behind, overdue
    count: int
    change: int | None = None  # since the previous period (None: nothing to compare)


@dataclass(frozen=True)
class UnitLine:
    unit: str
    tasks: int
    overdue: int
    behind: int
    missed: int
    rebounds: int


@dataclass(frozen=True)
class TaskLine:
    seq: int
    plan: str
    task: str
    units: str
    due: dt.date | None
    deadline: str
    progress: int
    expected: int | None = None
    days_overdue: int = 0


@dataclass(frozen=True)
class MeasureLine:
    date: dt.date
    level: str
    unit: str
    seq: int
    task: str
    reason: str
    issued_by: str


@dataclass(frozen=True)
class LookbackLine:
    date: dt.date
    seq: int
    task: str
    unit: str
    months: int
    rebound: bool
    findings: str


@dataclass(frozen=True)
class CircularData:
    """What a circular says (see the module docstring for its sections)."""

    issuing_body: str
    number: str
    date: dt.date
    period_start: dt.date
    period_end: dt.date
    buckets: Sequence[BucketLine]
    plan_title: str = ""
    previous_end: dt.date | None = None
    ranking: Sequence[UnitLine] = ()
    units_counted: int = 0
    overdue: Sequence[TaskLine] = ()
    overdue_total: int = 0
    lagging: Sequence[TaskLine] = ()
    lagging_total: int = 0
    measures: Sequence[MeasureLine] = ()
    measures_total: int = 0
    lookbacks: Sequence[LookbackLine] = ()
    lookbacks_total: int = 0
    requirements: Sequence[str] = REQUIREMENTS
    charts: dict[str, bytes] = field(default_factory=dict)  # CHARTS name → PNG

    @property
    def title(self) -> str:
        if self.plan_title:
            return f"关于《{self.plan_title}》整改工作进展情况的通报"
        return TITLE_ALL

    @property
    def total(self) -> int:
        return sum(b.count for b in self.buckets)

    @property
    def total_change(self) -> int | None:
        changes = [b.change for b in self.buckets]
        if any(c is None for c in changes):
            return None
        return sum(c for c in changes if c is not None)

    def count(self, key: str) -> int:
        return next((b.count for b in self.buckets if b.key == key), 0)


# --- words ---------------------------------------------------------------------------


def _signed(n: int | None) -> str:
    if n is None:
        return ""
    return f"+{n}" if n > 0 else str(n)


def _change_words(n: int | None) -> str:
    if n is None:
        return ""
    if n == 0:
        return "，与上期持平"
    return f"，较上期{'增加' if n > 0 else '减少'}{abs(n)}项"


def _share(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "0.0%"


def _day(day: dt.date | None) -> str:
    return chinese_date(day) if day is not None else ""


def summary(data: CircularData) -> str:
    """The paragraph of 一、总体进展."""
    scope = f"《{data.plan_title}》" if data.plan_title else "全市生态环境保护督察整改"
    done = data.count("done") + data.count("sustained")
    parts = [
        f"截至{_day(data.period_end)}，{scope}纳入调度的整改任务共{data.total}项"
        f"{_change_words(data.total_change)}。其中"
    ]
    words = []
    for line in data.buckets:
        words.append(
            f"{BUCKET_WORDS.get(line.key, line.key)}{line.count}项"
            f"（占{_share(line.count, data.total)}{_change_words(line.change)}）"
        )
    parts.append("，".join(words) + "。")
    parts.append(f"已完成（含长期坚持）合计{done}项，完成率{_share(done, data.total)}。")
    if data.previous_end is not None:
        parts.append(f"上期数据截至{_day(data.previous_end)}。")
    return "".join(parts)


def _task_row(i: int, t: TaskLine, *, overdue: bool) -> list[object]:
    late = f"逾期{t.days_overdue}天" if overdue else f"{t.progress}%/{t.expected or 0}%"
    return [i, t.task, t.units, t.deadline or _day(t.due), late]


# --- the built-in document -----------------------------------------------------------


def build(data: CircularData) -> bytes:
    """The circular in the official layout (`officialdoc`)."""
    doc = OfficialDocument(
        title=data.title,
        red_header=Issuer(data.issuing_body, data.number),
        date=data.date,
    )
    doc.heading("一、总体进展", 1)
    doc.paragraph(summary(data))
    doc.table(
        ["序时进度", "任务数", "占比", "较上期"],
        [
            [BUCKET_WORDS.get(b.key, b.key), b.count, _share(b.count, data.total),
             _signed(b.change) or "—"]
            for b in data.buckets
        ],
        widths_mm=[56, 30, 35, 35],
    )  # fmt: skip
    if data.charts.get("chart_buckets"):
        doc.image(data.charts["chart_buckets"], width_mm=150)

    doc.heading("二、各责任单位进展排名", 1)
    if data.ranking:
        doc.paragraph(
            f"本期纳入统计的牵头责任单位{data.units_counted}个，其中有逾期、滞后、漏报或反弹"
            f"任务的单位{len(data.ranking)}个，按逾期、滞后、漏报、反弹任务数排序如下。"
        )
        doc.table(
            ["排名", "责任单位", "牵头任务", "逾期", "滞后", "漏报", "反弹"],
            [
                [i, u.unit, u.tasks, u.overdue, u.behind, u.missed, u.rebounds]
                for i, u in enumerate(data.ranking, start=1)
            ],
            widths_mm=[14, 52, 20, 17, 17, 18, 18],
        )
        if data.charts.get("chart_ranking"):
            doc.image(data.charts["chart_ranking"], width_mm=150)
    else:
        doc.paragraph(f"本期纳入统计的牵头责任单位{data.units_counted}个，均无逾期、滞后任务。")

    doc.heading("三、滞后和逾期任务", 1)
    doc.heading("（一）逾期任务", 2)
    _task_list(doc, data.overdue, data.overdue_total, overdue=True)
    doc.heading("（二）滞后任务", 2)
    _task_list(doc, data.lagging, data.lagging_total, overdue=False)

    doc.heading("四、督办措施", 1)
    if data.measures:
        doc.paragraph(f"本期共下达督办措施{data.measures_total}项。")
        doc.table(
            ["序号", "日期", "措施", "责任单位", "任务", "事由"],
            [
                [i, _day(m.date), m.level, m.unit, m.task, m.reason]
                for i, m in enumerate(data.measures, start=1)
            ],
            widths_mm=[12, 26, 20, 28, 40, 30],
        )
    else:
        doc.paragraph("本期未下达督办措施。")

    doc.heading("五、“回头看”情况", 1)
    if data.lookbacks:
        rebounds = sum(1 for c in data.lookbacks if c.rebound)
        doc.paragraph(
            f"本期完成“回头看”核查{data.lookbacks_total}项，发现问题反弹{rebounds}项"
            + ("，已重新纳入整改。" if rebounds else "，整改成效总体稳定。")
        )
        doc.table(
            ["序号", "核查日期", "任务", "责任单位", "结果", "核查情况"],
            [
                [i, _day(c.date), c.task, c.unit, "反弹" if c.rebound else "未反弹", c.findings]
                for i, c in enumerate(data.lookbacks, start=1)
            ],
            widths_mm=[12, 26, 40, 28, 18, 32],
        )
    else:
        doc.paragraph("本期无“回头看”核查结果。")

    doc.heading("六、下一步工作要求", 1)
    for i, text in enumerate(data.requirements, start=1):
        doc.paragraph(f"{i}. {text}" if len(data.requirements) > 1 else text)
    doc.signature(data.issuing_body, data.date)
    return doc.to_bytes()


def _task_list(doc: OfficialDocument, tasks: Sequence[TaskLine], total: int, *,
               overdue: bool) -> None:
    word = "逾期" if overdue else "滞后"
    if not tasks:
        doc.paragraph(f"截至本期末，无{word}任务。")
        return
    more = f"，以下列出前{len(tasks)}项" if total > len(tasks) else ""
    doc.paragraph(f"截至本期末，{word}任务共{total}项{more}。")
    last = "逾期天数" if overdue else "进度/序时"
    doc.table(
        ["序号", "整改任务", "牵头单位", "整改时限", last],
        [_task_row(i, t, overdue=overdue) for i, t in enumerate(tasks, start=1)],
        widths_mm=[12, 62, 32, 26, 24],
    )


# --- an office's template (docxtpl) --------------------------------------------------


def context(data: CircularData) -> dict[str, Any]:
    """The names an office's template may use (the module docstring lists them); the
    charts are left out (see `render_template`)."""
    total = data.total
    return {
        "title": data.title,
        "issuing_body": data.issuing_body,
        "number": data.number,
        "date": chinese_date(data.date),
        "period_start": chinese_date(data.period_start),
        "period_end": chinese_date(data.period_end),
        "previous_end": _day(data.previous_end),
        "plan": data.plan_title,
        "total": total,
        "total_change": _signed(data.total_change),
        "summary": summary(data),
        "buckets": [
            {"key": b.key, "label": BUCKET_WORDS.get(b.key, b.key), "count": b.count,
             "share": _share(b.count, total), "change": _signed(b.change)}
            for b in data.buckets
        ],
        "counts": {key: data.count(key) for key in BUCKET_WORDS},
        "ranking": [
            {"rank": i, "unit": u.unit, "tasks": u.tasks, "overdue": u.overdue,
             "behind": u.behind, "missed": u.missed, "rebounds": u.rebounds}
            for i, u in enumerate(data.ranking, start=1)
        ],
        "units_counted": data.units_counted,
        "overdue": [_task_context(t) for t in data.overdue],
        "overdue_total": data.overdue_total,
        "lagging": [_task_context(t) for t in data.lagging],
        "lagging_total": data.lagging_total,
        "measures": [
            {"date": _day(m.date), "level": m.level, "unit": m.unit, "seq": m.seq,
             "task": m.task, "reason": m.reason, "issued_by": m.issued_by}
            for m in data.measures
        ],
        "measures_total": data.measures_total,
        "lookbacks": [
            {"date": _day(c.date), "seq": c.seq, "task": c.task, "unit": c.unit,
             "months": c.months, "result": "反弹" if c.rebound else "未反弹",
             "findings": c.findings}
            for c in data.lookbacks
        ],
        "lookbacks_total": data.lookbacks_total,
        "requirements": list(data.requirements),
    }  # fmt: skip


CONTEXT_NAMES = frozenset(
    [*context(CircularData("", "", _CORE_TIME.date(), _CORE_TIME.date(), _CORE_TIME.date(), ())),
     *CHARTS]
)


def _task_context(t: TaskLine) -> dict[str, Any]:
    return {
        "seq": t.seq, "plan": t.plan, "task": t.task, "units": t.units, "due": _day(t.due),
        "deadline": t.deadline or _day(t.due), "progress": t.progress,
        "expected": t.expected if t.expected is not None else "",
        "days_overdue": t.days_overdue,
    }  # fmt: skip


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_OPENS = {"for": "endfor", "if": "endif"}


def _tags(source: str) -> list[str]:
    """The Jinja tags of a template's XML (after docxtpl's patching), XML left out."""
    return [re.sub(r"<[^>]+>", "", tag) for tag in _TAG.findall(source)]


def _syntax_error(env: Any, source: str, exc: Exception) -> TemplateError:
    """Name the tag of a syntax error: the first tag that does not parse alone (an
    expression) or whose block does not match; else the block left open."""
    from jinja2 import TemplateSyntaxError

    text = re.sub(r"<[^>]+>", "", source)
    tags = _tags(text)
    left = re.search(r"\{[{%].{0,40}", _TAG.sub("", text))
    if left is not None:  # an opening brace that no closing one matches
        return TemplateError(f"the template's tag {left.group(0)[:40]!r} is not closed: {exc}")
    stack: list[str] = []
    for tag in tags:
        if tag.startswith("{{"):
            try:
                env.parse(tag)
            except TemplateSyntaxError as err:
                return TemplateError(f"the template's tag {tag} does not parse: {err.message}")
            continue
        head = _head(tag)
        if head in _OPENS:
            stack.append(tag)
        elif head in ("endfor", "endif"):
            if not stack or _OPENS[_head(stack[-1])] != head:
                return TemplateError(f"the template's tag {tag} closes no open block")
            stack.pop()
        elif head not in ("else", "elif", "set", "raw", "endraw"):
            return TemplateError(f"the template's tag {tag} is not known: {exc}")
    if stack:
        return TemplateError(f"the template's tag {stack[-1]} is never closed")
    return TemplateError(f"the template does not parse: {exc}")


def _head(tag: str) -> str:
    """The tag's keyword (for, endif, …), after docxtpl's p/tr/tc/r marker."""
    words = tag.strip("{%}-+ \n").split()
    if words and words[0] in ("p", "tr", "tc", "r"):
        words = words[1:]
    return words[0] if words else ""


def render_template(template: bytes, data: CircularData) -> bytes:
    """The circular through an office's docxtpl template (TemplateError when the file
    is not a .docx, a tag does not parse or names what the context does not have)."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage
    from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, UndefinedError
    from jinja2 import TemplateError as JinjaError

    try:
        tpl = DocxTemplate(io.BytesIO(template))
        tpl.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TemplateError(f"the template is not a Word (.docx) file: {exc}") from None
    env = Environment(undefined=StrictUndefined, autoescape=True)
    source = tpl.patch_xml(tpl.get_xml())
    tags = _tags(source)
    try:
        names = tpl.get_undeclared_template_variables(env)
    except TemplateSyntaxError as exc:
        raise _syntax_error(env, source, exc) from None
    unknown = sorted(set(names) - CONTEXT_NAMES)
    if unknown:
        where = next((t for t in tags if re.search(rf"\b{re.escape(unknown[0])}\b", t)), "")
        raise TemplateError(
            f"the template's tag {where or unknown[0]} uses {', '.join(unknown)}, "
            f"which the circular does not have (see the list of names)"
        )
    values = context(data)
    for name in CHARTS:
        png = data.charts.get(name)
        values[name] = InlineImage(tpl, io.BytesIO(png), width=Mm(150)) if png else ""
    try:
        tpl.render(values, env)
    except UndefinedError as exc:
        word = re.findall(r"'([^']+)'", str(exc))
        where = next((t for t in tags if word and word[-1] in t), "")
        raise TemplateError(f"the template's tag {where or '?'} fails: {exc}") from None
    except JinjaError as exc:
        raise TemplateError(f"the template does not render: {exc}") from None
    props = tpl.core_properties
    props.author = data.issuing_body
    props.title = data.title
    props.created = props.modified = dt.datetime.combine(data.date, dt.time())
    props.last_modified_by = data.issuing_body
    props.revision = 1
    out = io.BytesIO()
    tpl.save(out)
    return _fixed_zip(out.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed entry times, so the same input gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def check_template(template: bytes) -> None:
    """Render a template with sample data: TemplateError when it would not render."""
    render_template(template, sample_data())


def sample_data() -> CircularData:
    """A small circular (for checking templates and for tests)."""
    day = dt.date(2026, 12, 4)
    return CircularData(
        issuing_body="某市生态环境保护督察整改工作领导小组办公室",
        number="〔2026〕1号",
        date=day,
        period_start=dt.date(2026, 11, 30),
        period_end=dt.date(2026, 12, 6),
        previous_end=dt.date(2026, 11, 29),
        buckets=[BucketLine("done", 3, 1), BucketLine("sustained", 1, 0),
                 BucketLine("on_schedule", 4, -1), BucketLine("behind", 1, 0),
                 BucketLine("overdue", 1, 0)],
        ranking=[UnitLine("某区人民政府", 4, 1, 1, 0, 0)],
        units_counted=3,
        overdue=[TaskLine(2, "某方案", "整治某河黑臭水体", "某区人民政府", dt.date(2026, 11, 1),
                          "2026年11月", 40, None, 33)],
        overdue_total=1,
        lagging=[TaskLine(5, "某方案", "关停某砖厂", "某区人民政府", dt.date(2027, 3, 31),
                          "2027年3月底", 10, 30)],
        lagging_total=1,
        measures=[MeasureLine(dt.date(2026, 12, 1), "督办函", "某区人民政府", 2,
                              "整治某河黑臭水体", "逾期30天", "整改办")],
        measures_total=1,
        lookbacks=[LookbackLine(dt.date(2026, 12, 2), 7, "清理某处固废", "某镇", 3, False,
                                "现场未发现反弹")],
        lookbacks_total=1,
    )  # fmt: skip


__all__ = [
    "BUCKET_WORDS",
    "CHARTS",
    "CONTEXT_NAMES",
    "REQUIREMENTS",
    "BucketLine",
    "CircularData",
    "LookbackLine",
    "MeasureLine",
    "TaskLine",
    "TemplateError",
    "UnitLine",
    "build",
    "check_template",
    "context",
    "render_template",
    "sample_data",
    "summary",
]
