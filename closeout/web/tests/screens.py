"""Screenshots of the main pages, written by the browser tests to one folder anyone can
open: `screenshots/` at the repository's root (git-ignored), or the folder named by the
CLOSEOUT_SCREENSHOTS environment variable. Each file is named after the page and the
viewport ("overview-desktop.png", "workspace-phone.png"), so a run replaces the last one's.
CLOSEOUT_SCREENSHOTS=off takes none: `./dev test` sets it for its PostgreSQL run, whose
pages are those its SQLite run saves at the same time, into the same folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def folder() -> Path:
    path = Path(os.environ.get("CLOSEOUT_SCREENSHOTS") or ROOT / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def shot(page: Any, name: str) -> Path | None:
    """Save the whole page as `<name>-<phone|desktop>.png` and return the file's path
    (None when screenshots are off)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise ValueError(f"a screenshot name is lowercase letters, digits, - and _: {name!r}")
    if os.environ.get("CLOSEOUT_SCREENSHOTS") == "off":
        return None
    width = (page.viewport_size or {}).get("width", 1280)
    target = folder() / f"{name}-{'phone' if width <= 600 else 'desktop'}.png"
    page.screenshot(path=str(target), full_page=True)
    return target
