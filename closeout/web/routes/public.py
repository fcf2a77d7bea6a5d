"""Routes of the public portal (信息公开), open to anyone."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
