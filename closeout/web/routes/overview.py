"""Routes of the office overview (总览)."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import overview

urlpatterns: list[URLPattern] = [
    path("overview/", overview.overview, name="overview"),
]
