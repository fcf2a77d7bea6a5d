"""`{% letter_links task_id escalation_id %}`: a measure's "Letter (.docx)" link, and
"PDF" when LibreOffice is installed, on the task page."""

from __future__ import annotations

from typing import Any

from django import template

from closeout.documents import pdf

register = template.Library()


@register.inclusion_tag("web/letters/links.html")
def letter_links(task_id: int, escalation_id: int) -> dict[str, Any]:
    return {"task_id": task_id, "escalation_id": escalation_id, "pdf": pdf.available()}
