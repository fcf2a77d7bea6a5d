"""Routes of the ledger table's saved views and roll-ups."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
