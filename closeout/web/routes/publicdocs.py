"""Routes: The public progress report (整改进展情况公示) and close-out notices (销号公示)."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import publicdocs

urlpatterns: list[URLPattern] = [
    path(
        "public/plans/<int:plan_id>/progress/",
        publicdocs.public_progress,
        name="public_progress",
    ),
    path(
        "public/plans/<int:plan_id>/progress.docx",
        publicdocs.public_progress_file,
        {"fmt": "docx"},
        name="public_progress_docx",
    ),
    path(
        "public/plans/<int:plan_id>/progress.pdf",
        publicdocs.public_progress_file,
        {"fmt": "pdf"},
        name="public_progress_pdf",
    ),
    path(
        "public/tasks/<int:task_id>/notice/",
        publicdocs.public_closeout_notice,
        name="public_closeout_notice",
    ),
    path(
        "public/tasks/<int:task_id>/notice.docx",
        publicdocs.public_closeout_notice_file,
        {"fmt": "docx"},
        name="public_closeout_notice_docx",
    ),
    path(
        "public/tasks/<int:task_id>/notice.pdf",
        publicdocs.public_closeout_notice_file,
        {"fmt": "pdf"},
        name="public_closeout_notice_pdf",
    ),
]
