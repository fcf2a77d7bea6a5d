"""Units (单位): the tree of bodies that carry responsibility, with aliases and groups."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    REGION = "region", _("Administrative region")  # 行政区: holds a committee, a government …
    PARTY_COMMITTEE = "party_committee", _("Party committee")  # 党委
    GOVERNMENT = "government", _("Government")  # 政府
    DEPARTMENT = "department", _("Department")  # 部门
    MANAGEMENT_COMMITTEE = "management_committee", _("Management committee")  # 管委会
    ORGAN = "organ", _("Congress, CPPCC or mass organisation")  # 人大、政协、群团
    GROUP_OFFICE = "group_office", _("Leading group or its office")  # 领导小组(办公室)
    COMPANY = "company", _("Company")  # 企业
    OTHER = "other", _("Other")


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("District or county")
    TOWN = "town", _("Town or street")
    VILLAGE = "village", _("Village or community")


class Unit(models.Model):
    """A responsible, supervising or inspected body (单位).

    Units form a tree (province → city → district/county → town → village, with the
    committees, governments and departments of each level below it). `path` is a
    materialised path ("/1/5/23/") kept by the services so that "this unit and every unit
    below it" is one indexed prefix query, whatever the depth.
    """

    name = models.CharField(_("name"), max_length=120)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=UnitKind.choices)
    level = models.CharField(_("level"), max_length=12, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("tree path"), max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    code = models.CharField(_("code"), max_length=32, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


class UnitAlias(models.Model):
    """Another name of a unit: a short form ("市委办" = "市委办公厅") or a former name
    ("市环保局" became "市生态环境局" in the 2018 reform)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("alias"), max_length=120, db_index=True)
    former = models.BooleanField(_("former name"), default=False)
    valid_until = models.DateField(_("used until"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="alias_unique_per_unit"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitGroup(models.Model):
    """A named set of units that plans address collectively, such as
    "市生态文明建设工作领导小组各成员单位" or "各县区党委、政府"."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    owner = models.ForeignKey(
        Unit,
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_groups",
    )
    members = models.ManyToManyField(
        Unit, verbose_name=_("members"), related_name="unit_groups", blank=True
    )
    aliases = models.JSONField(_("other names"), default=list, blank=True)

    class Meta:
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
