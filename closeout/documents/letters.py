"""Escalation letters (督办文书): every measure of the ladder as a numbered official
document with the red header (see `officialdoc`).

The level decides the kind of document and its wording: 预警提醒函 (warning), 提醒函
(reminder), 通报 (circular), 督办函 (supervision), 挂牌督办通知 (listed supervision),
约谈通知 (summons), 区域限批通知 (regional approval hold), 问责移交函 (referral for
accountability). The letter names the task, its problem and deadline, why the measure
was issued, what is required, and the reply date ("请于2026年12月18日前将整改落实情况
书面报送……"); the supervising units are copied (抄送).

Pure: `letter_docx(LetterData) -> bytes`; the ledger's service gathers the data and the
document number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from closeout.documents.officialdoc import Issuer, OfficialDocument, chinese_date


@dataclass(frozen=True)
class Kind:
    name: str  # the document's kind, last word of its title
    decision: str  # what the issuing body does, after the facts
    closing: str  # 特此函告 / 特此通报 / 特此通知


KINDS: dict[str, Kind] = {
    "warning": Kind("预警提醒函", "为确保按期完成整改任务，现予以预警提醒。", "特此函告。"),
    "reminder": Kind("提醒函", "现函告提醒，请高度重视，按要求及时报送整改进展。", "特此函告。"),
    "circular": Kind("通报", "现予以通报，请引以为戒，切实加快整改进度。", "特此通报。"),
    "supervision": Kind("督办函", "为压实整改责任，现予以督办。", "特此函告。"),
    "listed": Kind("挂牌督办通知", "经研究，决定对该整改任务实行挂牌督办。", "特此通知。"),
    "summons": Kind(
        "约谈通知", "经研究，决定约谈你单位主要负责同志，具体时间、地点另行通知。", "特此通知。"
    ),
    "region_hold": Kind(
        "区域限批通知",
        "经研究，决定对你地区实行区域限批，暂停审批新增相关建设项目环境影响评价文件，"
        "直至整改到位。",
        "特此通知。",
    ),
    "accountability": Kind(
        "问责移交函", "经研究，决定将有关问题线索移交纪检监察机关，依规依纪依法处理。",
        "特此函告。",
    ),
}


@dataclass(frozen=True)
class LetterData:
    """What one letter says; plain values gathered by the ledger's service."""

    level: str  # a Level value of closeout.ledger.rules.escalation
    number: str  # 发文字号, 督办〔2026〕3号
    issued_by: str  # the issuing body (发文机关), also the signature
    issued_on: dt.date  # 成文日期
    addressee: str  # 主送: the unit addressed
    task: str  # the task's text
    problem: str  # the problem it answers
    reason: str  # why the measure was issued, in Chinese
    task_ref: str = ""  # the task's number in the ledger
    problem_number: str = ""
    plan_title: str = ""
    deadline: str = ""  # 整改时限 as written
    target: str = ""  # 整改目标
    measures: tuple[str, ...] = ()  # 整改措施
    response_due: dt.date | None = None
    copy_to: tuple[str, ...] = ()  # 抄送: the supervising units


def cause_reason(trigger: str, key: str, size: int, issued_on: dt.date) -> str:
    """Why a rule issued the measure, as the letter says it (the cause key of
    closeout.ledger.rules.escalation: due_soon:<due>, missed_reports:<since>,
    overdue:<due>, rebound:<count>). A key it cannot read is given as written."""
    try:
        day = dt.date.fromisoformat(key) if trigger != "rebound" else None
    except ValueError:
        return key
    if trigger == "due_soon" and day is not None:
        left = (day - issued_on).days
        return f"距整改时限（{chinese_date(day)}）仅剩{left}天，整改进度仍滞后于序时进度"
    if trigger == "missed_reports" and day is not None:
        count = f"{size}次" if size > 0 else "多次"
        return f"自{chinese_date(day)}起已连续{count}未按时报送整改进展"
    if trigger == "overdue" and day is not None:
        late = (issued_on - day).days
        return f"已超过整改时限（{chinese_date(day)}）{late}天，仍未完成整改"
    if trigger == "rebound":
        return f"销号后问题出现反弹（第{key}次），整改成效未能巩固"
    return key


def kind_of(level: str) -> Kind:
    try:
        return KINDS[level]
    except KeyError:
        raise ValueError(f"no letter for the level {level!r}") from None


def title_of(data: LetterData) -> str:
    """关于……整改工作的督办函: the problem's title when it is short, else the task's
    number."""
    kind = kind_of(data.level).name
    subject = data.problem.strip().rstrip("。；;")
    if subject and len(subject) <= 30:
        return f"关于{subject}整改工作的{kind}"
    ref = f"（{data.task_ref}）" if data.task_ref else ""
    return f"关于加快推进整改任务{ref}的{kind}"


def filename_of(data: LetterData, suffix: str = ".docx") -> str:
    """督办〔2026〕3号督办函.docx"""
    return f"{data.number}{kind_of(data.level).name}{suffix}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；" else text + "。"


def letter_document(data: LetterData) -> OfficialDocument:
    """The letter as an OfficialDocument (for a caller that adds to it)."""
    kind = kind_of(data.level)
    if not data.addressee.strip():
        raise ValueError("a letter needs the unit it is addressed to (主送)")
    doc = OfficialDocument(
        title=title_of(data),
        red_header=Issuer(data.issued_by, data.number),
        addressee=f"{data.addressee.strip()}：",
        date=data.issued_on,
        author=data.issued_by,
    )
    basis = f"根据《{data.plan_title.strip('《》')}》，" if data.plan_title else ""
    facts = [f"“{data.task.strip().rstrip('。')}”"]
    if data.problem:
        number = f"第{data.problem_number}项" if data.problem_number else ""
        facts.append(f"（所属问题：{number}{data.problem.strip().rstrip('。')}")
        facts.append(f"；整改时限：{data.deadline}）" if data.deadline else "）")
    elif data.deadline:
        facts.append(f"（整改时限：{data.deadline}）")
    reason = data.reason.strip().rstrip("。")
    doc.paragraph(f"{basis}你单位负责的整改任务{''.join(facts)}，目前{reason}。{kind.decision}")
    doc.paragraph("现提出如下要求：")
    requirements = [
        "高度重视整改工作，主要负责同志要亲自研究部署，逐项对照整改目标、整改措施和"
        "整改时限，查找滞后原因，制定整改计划，明确责任人和完成时间。"
    ]
    if data.target:
        requirements.append(f"对照整改目标，确保{_sentence(data.target.rstrip('。'))}")
    if data.measures:
        requirements.append(
            "落实整改措施：" + "；".join(m.strip().rstrip("。；") for m in data.measures) + "。"
        )
    requirements.append("按期报送整改进展和佐证材料，整改完成后按程序申请销号。")
    numerals = "一二三四五六七八九十"
    for i, text in enumerate(requirements):
        doc.paragraph(f"（{numerals[i]}）{text}")
    if data.response_due is not None:
        doc.paragraph(
            f"请于{chinese_date(data.response_due)}前将整改落实情况书面报送{data.issued_by}。"
        )
    else:
        doc.paragraph(f"请及时将整改落实情况书面报送{data.issued_by}。")
    doc.paragraph(kind.closing)
    doc.signature(data.issued_by, data.issued_on)
    copy_to = [u for u in data.copy_to if u.strip() and u.strip() != data.addressee.strip()]
    doc.copy_to(copy_to)
    return doc


def letter_docx(data: LetterData) -> bytes:
    """The letter as a .docx (the same bytes for the same data)."""
    return letter_document(data).to_bytes()
