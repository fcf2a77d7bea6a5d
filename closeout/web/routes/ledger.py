"""Routes of the ledger table's saved views and roll-ups."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import ledgerviews

urlpatterns: list[URLPattern] = [
    path("tasks/problems/", ledgerviews.problem_list, name="problem_list"),
    path("tasks/views/", ledgerviews.savedview_list, name="savedview_list"),
    path("tasks/views/new/", ledgerviews.savedview_create, name="savedview_create"),
    path("tasks/views/<int:view_id>/", ledgerviews.savedview_open, name="savedview_open"),
    path(
        "tasks/views/<int:view_id>/delete/",
        ledgerviews.savedview_delete,
        name="savedview_delete",
    ),
]
