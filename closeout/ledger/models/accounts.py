"""Who people are to closeout: a role (角色) and, for most roles, a unit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("Rectification office")  # 整改办
    UNIT = "unit", _("Responsible unit")  # 责任单位
    SUPERVISOR = "supervisor", _("Supervising unit")  # 督导单位
    LEADER = "leader", _("Leader")  # 领导
    PUBLIC = "public", _("Public")  # 公众 (anonymous visitors; never stored on a profile)


class Profile(models.Model):
    """The role of a signed-in user and the unit it acts for.

    Unit users act for their unit and every unit below it; supervisors for the tasks
    their unit supervises. The rules themselves live in `closeout.ledger.access`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    unit = models.ForeignKey(
        "ledger.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="profiles",
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="public"),
                name="profile_role_not_public",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["office", "leader"]) | models.Q(unit__isnull=False),
                name="profile_unit_roles_have_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name or self.user.get_username()} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
