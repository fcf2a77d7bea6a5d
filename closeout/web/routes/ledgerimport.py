"""Routes: A workbook sent back: preview and apply (台账导入)."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import ledgerimport

urlpatterns: list[URLPattern] = [
    path("tasks/import/", ledgerimport.ledger_import, name="ledger_import"),
    path("tasks/import/apply/", ledgerimport.ledger_import_apply, name="ledger_import_apply"),
]
