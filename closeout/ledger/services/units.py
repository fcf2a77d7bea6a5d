"""The unit registry (单位): units with their tree paths and names, and unit groups."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotPermitted
from closeout.ledger.models import (
    Unit,
    UnitAlias,
    UnitGroup,
)
from closeout.ledger.services.audit import audit, audited_save


def _unit_path(unit: Unit) -> tuple[str, int]:
    if unit.parent_id is None:
        return f"/{unit.pk}/", 0
    parent = Unit.objects.only("path", "depth").get(pk=unit.parent_id)
    return f"{parent.path}{unit.pk}/", parent.depth + 1


def unit_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    level: str,
    parent: Unit | None = None,
    full_name: str = "",
    aliases: Sequence[str] = (),
    former_names: Sequence[str] = (),
    code: str = "",
) -> Unit:
    """Add a unit to the registry, below `parent`, with its other names."""
    if not name.strip():
        raise InvalidInput(_("a unit needs a name"), field="name")
    with transaction.atomic():
        unit = Unit.objects.create(
            name=name.strip(),
            full_name=full_name,
            kind=kind,
            level=level,
            parent=parent,
            code=code,
            path="",
        )
        unit.path, unit.depth = _unit_path(unit)
        unit.save(update_fields=["path", "depth"])
        for alias in aliases:
            UnitAlias.objects.create(unit=unit, name=alias)
        for alias in former_names:
            UnitAlias.objects.create(unit=unit, name=alias, former=True)
        audit(
            actor,
            "unit.create",
            unit,
            after={
                "name": unit.name,
                "parent": parent.pk if parent else None,
                "aliases": list(aliases),
                "former_names": list(former_names),
            },
        )
    return unit


def unit_save(*, actor: Actor, unit: Unit) -> Unit:
    """Save a unit edited elsewhere (the admin), keeping the tree paths right.

    Moving a unit rewrites the path and depth of every unit below it in one statement.
    """
    with transaction.atomic():
        if unit.pk is None:
            unit.path = ""
            audited_save(actor, unit)
            unit.path, unit.depth = _unit_path(unit)
            unit.save(update_fields=["path", "depth"])
            return unit
        old = Unit.objects.only("path", "depth").get(pk=unit.pk)
        if unit.parent_id is not None and str(unit.pk) in Unit.objects.get(
            pk=unit.parent_id
        ).path.strip("/").split("/"):
            raise InvalidInput(_("a unit cannot be placed below itself"), field="parent")
        unit.path, unit.depth = _unit_path(unit)
        audited_save(actor, unit)
        if unit.path != old.path:
            Unit.objects.filter(path__startswith=old.path).exclude(pk=unit.pk).update(
                path=Concat(Value(unit.path), Substr("path", len(old.path) + 1)),
                depth=F("depth") + (unit.depth - old.depth),
            )
    return unit


def unit_group_create(
    *,
    actor: Actor,
    name: str,
    members: Sequence[Unit] = (),
    owner: Unit | None = None,
    aliases: Sequence[str] = (),
) -> UnitGroup:
    """Register a collective reference ("各县区党委、政府") with its member units."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office defines unit groups"))
    if not name.strip():
        raise InvalidInput(_("a unit group needs a name"), field="name")
    with transaction.atomic():
        group = UnitGroup.objects.create(name=name.strip(), owner=owner, aliases=list(aliases))
        group.members.set(members)
        audit(
            actor,
            "unitgroup.create",
            group,
            after={
                "name": group.name,
                "owner": owner.pk if owner else None,
                "members": [u.pk for u in members],
                "aliases": list(aliases),
            },
        )
    return group
