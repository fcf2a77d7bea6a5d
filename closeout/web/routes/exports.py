"""Routes: The ledger as an Excel workbook (台账导出)."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import exports

urlpatterns: list[URLPattern] = [
    path("tasks/export.xlsx", exports.ledger_xlsx, name="ledger_xlsx"),
]
