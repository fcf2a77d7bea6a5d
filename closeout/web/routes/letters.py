"""Routes: Escalation letters (督办函, 提醒函, 通报, 挂牌督办通知) as Word documents."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import letters

urlpatterns: list[URLPattern] = [
    path(
        "tasks/<int:task_id>/escalations/<int:escalation_id>/letter.docx",
        letters.escalation_letter,
        {"fmt": "docx"},
        name="escalation_letter",
    ),
    path(
        "tasks/<int:task_id>/escalations/<int:escalation_id>/letter.pdf",
        letters.escalation_letter,
        {"fmt": "pdf"},
        name="escalation_letter_pdf",
    ),
]
