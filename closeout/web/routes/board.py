"""Routes of the leader board (挂图作战) and its charts."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
