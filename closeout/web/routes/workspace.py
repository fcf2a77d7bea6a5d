"""Routes of the unit workspace and the supervisor queue."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import workspace

urlpatterns: list[URLPattern] = [
    path("my/", workspace.workspace, name="workspace"),
    path("queue/", workspace.queue, name="queue"),
]
