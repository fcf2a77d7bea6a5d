"""The two documents the portal publishes, as Word files in the official layout
(`closeout.documents.officialdoc`, without the red header: a 公示 is a notice):

- `progress_report_docx`: the public progress report of a plan (关于…整改进展情况的公示):
  the totals by schedule bucket (序时进度), then per problem a heading and a table of
  its tasks (整改任务, 整改目标, 责任单位, 整改时限, 进展情况, 序时进度) with its
  subtotal, the issuing body and the date at the end;
- `closeout_notice_docx`: the close-out notice of one task (销号公示): the usual notice
  text, a table of the task's fields, the notice period ("公示期为2026年12月4日至2026年
  12月10日") and where to object.

Pure: the records of `closeout.documents.publicdata` in, bytes out. The same record
gives the same bytes (the document's date is the report's day or the notice's first
day, and `OfficialDocument.to_bytes` fixes the core properties and the zip times).
"""

from __future__ import annotations

from collections.abc import Sequence

from closeout.documents.officialdoc import OfficialDocument
from closeout.documents.publicdata import (
    BucketCount,
    NoticeData,
    ProgressReportData,
    ReportProblem,
    cn_date,
)

REPORT_HEADERS = ("序号", "整改任务", "整改目标", "责任单位", "整改时限", "进展情况", "序时进度")
REPORT_WIDTHS_MM = (10.0, 34.0, 28.0, 24.0, 18.0, 24.0, 18.0)  # the 156 mm type area
TOTAL_HEADERS = ("序时进度", "任务数（项）")
NOTICE_HEADERS = ("项目", "内容")
NOTICE_WIDTHS_MM = (36.0, 120.0)
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """一, 二 … 十, 十一 … 九十九 for the headings' numbering (（一）, （十二）); larger
    numbers in Arabic figures."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _counts_text(totals: Sequence[BucketCount]) -> str:
    """已完成3项，达到序时进度2项，滞后0项，逾期1项 (已完成 includes 已完成、长期坚持)."""
    by = {b.bucket: b.count for b in totals}
    done = by.get("done", 0) + by.get("sustained", 0)
    text = f"已完成{done}项"
    if by.get("sustained"):
        text += f"（其中已完成、长期坚持{by['sustained']}项）"
    return text + "，" + "，".join(
        f"{b.words}{b.count}项" for b in totals if b.bucket not in ("done", "sustained")
    )


def _source(data: ProgressReportData) -> str:
    issued = f"（{data.issuer}{cn_date(data.issued_on)}印发）" if data.issuer else ""
    title = data.title.strip()
    quoted = title if title.startswith("《") else f"《{title}》"
    return quoted + issued


def _problem_table(doc: OfficialDocument, problem: ReportProblem) -> None:
    rows = [
        [
            str(task.seq),
            task.text,
            task.target or "—",
            task.units_text or "—",
            task.deadline_text or "—",
            task.progress_text,
            task.bucket_words or "—",
        ]
        for task in problem.tasks
    ]
    doc.table(REPORT_HEADERS, rows, widths_mm=REPORT_WIDTHS_MM)
    count = sum(b.count for b in problem.totals)
    doc.paragraph(f"小计：整改任务{count}项，{_counts_text(problem.totals)}。")


def progress_report_docx(data: ProgressReportData) -> bytes:
    """The public progress report (整改进展情况公示) of a plan as a .docx."""
    day = cn_date(data.as_of)
    doc = OfficialDocument(title=data.document_title, date=data.as_of, author=data.office)
    doc.paragraph(
        f"为接受社会监督，根据{_source(data)}，现将截至{day}的整改进展情况公示如下。"
    )
    doc.heading("一、总体情况", 1)
    doc.paragraph(
        f"方案共涉及反馈问题{len(data.problems)}个、整改任务{data.total}项。截至{day}，"
        f"{_counts_text(data.totals)}。"
    )
    doc.table(
        TOTAL_HEADERS,
        [[b.words, str(b.count)] for b in data.totals] + [["合计", str(data.total)]],
        widths_mm=(96.0, 60.0),
    )
    doc.heading("二、各问题整改进展情况", 1)
    if not data.problems:
        doc.paragraph("暂无公开的整改任务。")
    for number, problem in enumerate(data.problems, start=1):
        doc.heading(f"（{chinese_number(number)}）{problem.heading}", 2)
        _problem_table(doc, problem)
    doc.paragraph(
        "序时进度按整改时限和节点计划计算：已完成指已销号或已完成、长期坚持的任务；"
        "达到序时进度指进展不低于按期应达到的进度；滞后指进展低于应达到的进度；"
        "逾期指超过整改时限仍未完成。"
    )
    doc.signature(data.office, data.as_of)
    return doc.to_bytes()


def _completion(data: NoticeData) -> str:
    parts = [f"报送进度{data.progress}%"]
    if data.requested_on:
        parts.append(f"{cn_date(data.requested_on)}申请销号")
    if data.reviewed_on:
        parts.append(f"{cn_date(data.reviewed_on)}通过初审")
    return "；".join(parts)


def _measures(measures: Sequence[str]) -> str:
    if not measures:
        return "—"
    if len(measures) == 1:
        return measures[0]
    return "\n".join(f"{i}. {m}" for i, m in enumerate(measures, start=1))


def notice_rows(data: NoticeData) -> list[list[str]]:
    """The notice's table: (项目, 内容) rows, in the order the notice reads."""
    rows = [
        ["所属方案", data.plan_title],
        ["反馈问题", data.problem_heading],
        ["整改任务", data.text],
        ["整改目标", data.target or "—"],
        ["整改措施", _measures(data.measures)],
    ]
    rows += [[part.words, "、".join(part.names)] for part in data.units]
    rows += [
        ["整改时限", data.deadline_text or "—"],
        ["完成情况", _completion(data)],
        ["公示期", f"{cn_date(data.notice_from)}至{cn_date(data.notice_until)}"],
        ["异议渠道", data.objection_url],
    ]
    return rows


def notice_title(data: NoticeData) -> str:
    return f"关于{data.problem_title}整改任务销号情况的公示"


def closeout_notice_docx(data: NoticeData) -> bytes:
    """The close-out notice (销号公示) of one task as a .docx."""
    doc = OfficialDocument(title=notice_title(data), date=data.notice_from, author=data.office)
    leads = "、".join(data.lead_units) or "责任单位"
    doc.paragraph(
        f"根据《{data.plan_title.strip('《》')}》和整改销号工作程序，{leads}牵头负责的"
        f"“{data.text}”整改任务已完成整改并申请销号，经初审，符合销号条件。"
        "按照“整改一个、验收一个、销号一个、公开一个”的要求，现将有关情况予以公示，"
        "接受社会监督。"
    )
    doc.table(NOTICE_HEADERS, notice_rows(data), widths_mm=NOTICE_WIDTHS_MM)
    doc.paragraph(f"{data.period_text}。")
    objection = (
        f"公示期间，如对该任务的整改情况有异议，请在公示期内登录门户网站，在该任务页面"
        f"（{data.objection_url}）提交意见，或向{data.office}反映"
    )
    if data.office_contact:
        objection += f"（联系方式：{data.office_contact}）"
    doc.paragraph(objection + "。公示期满无异议或异议已妥善处理的，按程序进行核查销号。")
    doc.signature(data.office, data.notice_from)
    return doc.to_bytes()
