"""`{% circular_picker plan %}`: the "Circular (.docx)" button with a period picker (the
frozen periods), on the overview and the leader board."""

from __future__ import annotations

from typing import Any

from django import template

from closeout.documents import pdf
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotPermitted
from closeout.ledger.selectors.circular import circular_periods

register = template.Library()


@register.inclusion_tag("web/circulars/picker.html", takes_context=True)
def circular_picker(context: Any, plan: Any = None) -> dict[str, Any]:
    request = context.get("request")
    try:
        periods = circular_periods(Actor.of(getattr(request, "user", None)))
    except NotPermitted:
        periods = []
    return {"periods": periods, "plan": plan, "pdf": pdf.available()}
