"""Routes of the first screens of each role: overview, unit workspace, supervisor queue."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
