"""Escalation letters (督办文书): a measure as its numbered Word document (or PDF).

`escalation_letter` gathers the letter's data for an actor who may see the measure
(`selectors.letters.letter_measure`) and gives it its document number: the measure's
issuing body, the year it was issued, the office's letter prefix (LoopSettings.
letter_prefix) and the key "escalation:<id>" (`services.numbering.document_number`).
The number is issued the first time anyone asks for the letter and is the same ever
after, whoever asks. `escalation_letter_file` renders it through
`closeout.documents.letters` (and LibreOffice for PDF).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from closeout.documents import letters, pdf
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput
from closeout.ledger.models import Escalation, NumberKind
from closeout.ledger.selectors.letters import (
    LEAD_ROLES,
    SUPERVISING_ROLES,
    letter_measure,
    unit_names,
)
from closeout.ledger.services.numbering import document_number

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class LetterFile:
    filename: str  # 督办〔2026〕3号督办函.docx
    content_type: str
    data: bytes


def _reason(e: Escalation) -> str:
    if e.reason.strip():
        return e.reason.strip()
    trigger, _sep, key = e.cause.partition(":")
    return letters.cause_reason(trigger, key, e.size, e.issued_on)


def _addressee(e: Escalation) -> str:
    if e.unit is not None:
        return e.unit.name
    leads = unit_names(e, LEAD_ROLES)
    if not leads:
        raise InvalidInput(
            _("measure %(id)s names no unit to address its letter to") % {"id": e.pk},
            field="unit",
        )
    return "、".join(leads)


def escalation_letter(
    *, actor: Actor, escalation_id: int, task_id: int | None = None
) -> letters.LetterData:
    """The letter of a measure the actor may see (NotFound otherwise), numbered."""
    e = letter_measure(actor, escalation_id, task_id=task_id)
    task = e.task
    kind = letters.kind_of(e.level)
    addressee = _addressee(e)
    issued = document_number(
        kind=NumberKind.LETTER,
        key=f"escalation:{e.pk}",
        body=e.issued_by,
        year=e.issued_on.year,
        purpose=f"{kind.name}：{addressee}（任务{task.pk}）",
        actor=actor,
    )
    problem = task.problem
    return letters.LetterData(
        level=e.level,
        number=issued.text,
        issued_by=e.issued_by,
        issued_on=e.issued_on,
        addressee=addressee,
        task=task.text,
        problem=problem.title if problem else "",
        reason=_reason(e),
        task_ref=str(task.pk),
        problem_number=problem.number if problem else "",
        plan_title=task.plan.title if task.plan_id else "",
        deadline=task.deadline_raw,
        target=task.target,
        measures=tuple(str(m) for m in task.measures or ()),
        response_due=e.response_due,
        copy_to=tuple(unit_names(e, SUPERVISING_ROLES)),
    )


def escalation_letter_file(
    *, actor: Actor, escalation_id: int, task_id: int | None = None, as_pdf: bool = False
) -> LetterFile:
    """The letter as .docx, or as PDF (`as_pdf`; raises pdf.PdfUnavailable when
    LibreOffice is not installed)."""
    data = escalation_letter(actor=actor, escalation_id=escalation_id, task_id=task_id)
    docx = letters.letter_docx(data)
    if as_pdf:
        return LetterFile(letters.filename_of(data, ".pdf"), "application/pdf",
                          pdf.to_pdf(docx, ".docx"))
    return LetterFile(letters.filename_of(data), DOCX, docx)
