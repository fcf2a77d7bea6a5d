"""Routes: The circular (调度通报) as a Word document."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import circulars

urlpatterns: list[URLPattern] = [
    path("circulars/", circulars.circular_page, name="circulars"),
    path("circulars/circular", circulars.circular_download, name="circular_download"),
    path("circulars/template/", circulars.circular_template_upload, name="circular_template"),
    path(
        "circulars/template/remove/",
        circulars.circular_template_remove,
        name="circular_template_remove",
    ),
]
