"""Routes of the office's settings pages (escalation rules, loop settings, users, units)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
