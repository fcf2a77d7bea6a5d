"""Template filters for evidence files (佐证材料): which ones show as thumbnails."""

from __future__ import annotations

from typing import Any

from django import template

from closeout.web.display import shows_inline

register = template.Library()


@register.filter
def inline_image(evidence: Any) -> bool:
    """An evidence file the page shows as an image (JPEG, PNG, GIF, WebP)."""
    return shows_inline(getattr(evidence, "content_type", ""))
