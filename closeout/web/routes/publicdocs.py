"""Routes: The public progress report (整改进展情况公示) and close-out notices (销号公示)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
