"""Routes: The circular (调度通报) as a Word document."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
