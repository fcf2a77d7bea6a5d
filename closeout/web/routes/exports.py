"""Routes: The ledger as an Excel workbook (台账导出)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
