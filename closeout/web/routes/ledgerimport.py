"""Routes: A workbook sent back: preview and apply (台账导入)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
