"""Routes of the unit workspace and the supervisor queue."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
