"""What every page's template gets besides its view's context."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def page_url(request: HttpRequest) -> dict[str, str]:
    """`page_url`: the page as a GET, where the language switch sends the person back.

    A page shown in answer to a POST (a form with errors) has the URL the form posted
    to, which may take no GET (a report, a step): going back there would answer 405.
    Such views name their page in their context (`page_url` overrides this one);
    otherwise it is the page of this site the form was sent from, or the start page.
    """
    if request.method in ("GET", "HEAD"):
        return {"page_url": request.get_full_path()}
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return {"page_url": parts.path + (f"?{parts.query}" if parts.query else "")}
    return {"page_url": reverse("web:home")}
