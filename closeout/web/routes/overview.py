"""Routes of the office overview (总览)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
