"""Saved views of the ledger table (常用筛选): a user keeps the filter and the columns of a
ledger page under a name, to open it again in one click. Each user's own: nobody else
sees, opens or deletes them. Transactional and audited like every other write."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound
from closeout.ledger.models import SavedView
from closeout.ledger.selectors.ledger import COLUMNS
from closeout.ledger.services.audit import audit

NAME_MAX = SavedView._meta.get_field("name").max_length or 60
QUERY_MAX = SavedView._meta.get_field("query").max_length or 1000
# Not part of what a view filters: the page one was on, the columns (kept apart) and
# the form's token.
NOT_FILTERS = frozenset({"page", "col", "csrfmiddlewaretoken"})


def view_query(query: str) -> str:
    """The filter part of a ledger query string, re-encoded: the page number and the
    columns left out, empty values dropped. Refused when longer than QUERY_MAX or when
    it holds control characters (field `query`)."""
    if any(ord(c) < 32 or c == "\x7f" for c in query):
        raise InvalidInput(_("The filter holds control characters."), field="query")
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?")) if k not in NOT_FILTERS and v]
    out = urlencode(pairs)
    if len(out) > QUERY_MAX:
        raise InvalidInput(
            _("The filter is too long to save (at most %(limit)s characters).")
            % {"limit": QUERY_MAX},
            field="query",
        )
    return out


def view_columns(columns: Sequence[str]) -> list[str]:
    """The columns in the order given; unknown or repeated ones are refused (`columns`)."""
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise InvalidInput(
            _("unknown column: %(names)s") % {"names": ", ".join(unknown)}, field="columns"
        )
    if len(set(columns)) != len(columns):
        raise InvalidInput(_("A column is listed twice."), field="columns")
    if not columns:
        raise InvalidInput(_("Pick at least one column."), field="columns")
    return list(columns)


def savedview_create(*, actor: Actor, name: str, query: str, columns: Sequence[str]) -> SavedView:
    """Save the filter (`query`, a ledger query string) and the columns under `name`.
    Names are unique per user: a second view of the same name is refused (`name`)."""
    if actor.user_id is None:
        raise NotFound(_("Sign in to save a view."))
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Give the view a name."), field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(
            _("A name may be at most %(limit)s characters long.") % {"limit": NAME_MAX},
            field="name",
        )
    values = {"query": view_query(query), "columns": view_columns(columns)}
    taken = _("You already have a view named “%(name)s”; pick another name or delete it.") % {
        "name": name
    }
    if SavedView.objects.filter(user_id=actor.user_id, name=name).exists():
        raise InvalidInput(taken, field="name")
    try:
        with transaction.atomic():
            view = SavedView.objects.create(user_id=actor.user_id, name=name, **values)
            audit(actor, "savedview.create", view, after={"name": name, **values})
    except IntegrityError:  # the same name saved at the same moment by another request
        raise InvalidInput(taken, field="name") from None
    return view


def savedview_delete(*, actor: Actor, view_id: int) -> None:
    """Delete one of the actor's own saved views; anyone else's is NotFound."""
    if actor.user_id is None:
        raise NotFound(_("saved view %(view)s does not exist") % {"view": view_id})
    with transaction.atomic():
        view = SavedView.objects.filter(pk=view_id, user_id=actor.user_id).first()
        if view is None:
            raise NotFound(_("saved view %(view)s does not exist") % {"view": view_id})
        before = {"name": view.name, "query": view.query, "columns": view.columns}
        audit(actor, "savedview.delete", view, before=before)
        view.delete()
