"""The unit registry (单位): units with their tree paths and names, and unit groups."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound, NotPermitted
from closeout.ledger.models import (
    Unit,
    UnitAlias,
    UnitGroup,
)
from closeout.ledger.services.audit import audit, audited_delete, audited_save


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


# ------------------------------------------------------------ the office's registry pages


def _require_office(actor: Actor) -> None:
    if not access.can_manage_settings(actor):
        raise NotPermitted(_("only the rectification office keeps the unit registry"))


def _name_free(parent_id: int | None, name: str, *, but: int | None = None) -> None:
    same = Unit.objects.filter(parent_id=parent_id, name=name)
    if but is not None:
        same = same.exclude(pk=but)
    if same.exists():
        raise InvalidInput(
            _("there is already a unit called %(name)s under the same parent") % {"name": name},
            field="name",
        )


def _clean_name(name: str, field: str = "name", limit: int = 120) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("a unit needs a name"), field=field)
    if len(name) > limit:
        raise InvalidInput(
            _("a name of at most %(limit)s characters") % {"limit": limit}, field=field
        )
    return name


def unit_add(
    *,
    actor: Actor,
    name: str,
    kind: str,
    level: str,
    parent: Unit | None = None,
    full_name: str = "",
    code: str = "",
) -> Unit:
    """The office adds a unit to the registry below `parent` (none: a top unit)."""
    from closeout.ledger.models import UnitKind, UnitLevel

    _require_office(actor)
    name = _clean_name(name)
    if kind not in UnitKind.values:
        raise InvalidInput(_("choose the kind of unit"), field="kind")
    if level not in UnitLevel.values:
        raise InvalidInput(_("choose the unit's level"), field="level")
    with transaction.atomic():
        _name_free(parent.pk if parent else None, name)
        return unit_create(
            actor=actor,
            name=name,
            kind=kind,
            level=level,
            parent=parent,
            full_name=full_name.strip(),
            code=code.strip(),
        )


def unit_rename(
    *, actor: Actor, unit_id: int, name: str, full_name: str, keep_former: bool = True
) -> Unit:
    """Rename a unit (机构改革: 市环保局 → 市生态环境局). The old name stays as a former
    name (`UnitAlias.former`), so plans that still use it find the unit."""
    _require_office(actor)
    name = _clean_name(name)
    with transaction.atomic():
        unit = Unit.objects.select_for_update().filter(pk=unit_id).first()
        if unit is None:
            raise NotFound(_("unit %(id)s does not exist") % {"id": unit_id})
        old = {"name": unit.name, "full_name": unit.full_name}
        if name == unit.name and full_name.strip() == unit.full_name:
            return unit
        _name_free(unit.parent_id, name, but=unit.pk)
        former = None
        if keep_former and name != unit.name:
            former, created = UnitAlias.objects.get_or_create(
                unit=unit, name=unit.name, defaults={"former": True}
            )
            if not created and not former.former:
                UnitAlias.objects.filter(pk=former.pk).update(former=True)
        # The new name is the unit's name now, not also one of its aliases.
        UnitAlias.objects.filter(unit=unit, name=name).delete()
        unit.name, unit.full_name = name, full_name.strip()
        unit.save(update_fields=["name", "full_name"])
        audit(
            actor,
            "unit.rename",
            unit,
            before=old,
            after={
                "name": unit.name,
                "full_name": unit.full_name,
                "former_name": former.name if former else None,
            },
        )
    return unit


def unit_alias_add(*, actor: Actor, unit_id: int, name: str, former: bool = False) -> UnitAlias:
    """Another name of a unit: a short form, or a former name."""
    _require_office(actor)
    name = _clean_name(name)
    with transaction.atomic():
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise NotFound(_("unit %(id)s does not exist") % {"id": unit_id})
        if name == unit.name or UnitAlias.objects.filter(unit=unit, name=name).exists():
            raise InvalidInput(
                _("%(name)s is already a name of this unit") % {"name": name}, field="name"
            )
        alias = UnitAlias.objects.create(unit=unit, name=name, former=former)
        audit(
            actor,
            "unitalias.create",
            alias,
            after={"unit": unit.pk, "name": name, "former": former},
        )
    return alias


def unit_alias_remove(*, actor: Actor, unit_id: int, alias_id: int) -> None:
    _require_office(actor)
    with transaction.atomic():
        alias = UnitAlias.objects.filter(pk=alias_id, unit_id=unit_id).first()
        if alias is None:
            raise NotFound(_("no such name of this unit"))
        audited_delete(actor, alias)
