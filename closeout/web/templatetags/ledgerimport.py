"""`{% can_import_ledger as flag %}`: whether the person signed in may send a ledger
workbook back (the rule is `services.ledgerimport.can_import`)."""

from __future__ import annotations

from typing import Any

from django import template

from closeout.ledger.access import Actor
from closeout.ledger.services.ledgerimport import can_import

register = template.Library()


@register.simple_tag(takes_context=True)
def can_import_ledger(context: Any) -> bool:
    user = getattr(context.get("request"), "user", None)
    return user is not None and user.is_authenticated and can_import(Actor.of(user))
