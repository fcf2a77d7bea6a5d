"""What the browser tests share: signing in and out through the pages, the phone's
viewport, and a watch on every request a page makes, so that a test can say that nothing
was loaded from anywhere but the server."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from closeout.ledger.tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def log_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in with the login form and wait for the role's first screen."""
    page.goto(f"{base}/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def log_out(page: Any, base: str) -> None:
    page.locator("[data-testid=logout]").click()
    page.wait_for_url(f"{base}/")


def no_sideways_scroll(page: Any, width: int = PHONE["width"]) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"{page.url} is {scrolled} px wide"


class Requests:
    """Every request the pages of a browser context make, by host."""

    def __init__(self, context: Any) -> None:
        self.urls: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))

    def elsewhere(self, base: str) -> list[str]:
        """The requests that went to another origin than `base` (data: and blob: URLs
        never leave the page and are left out)."""
        origin = urlsplit(base)
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in ("data", "blob")
            and (urlsplit(url).scheme, urlsplit(url).netloc) != (origin.scheme, origin.netloc)
        ]
