"""The site's routes and one that fails, for the server error page's tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from closeout.urls import urlpatterns as site


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug on our side")


urlpatterns = [path("boom/", fail), *site]
