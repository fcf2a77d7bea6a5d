"""The unit registry (units, their aliases and groups) and the accounts (profiles,
API tokens)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from closeout.ledger import services
from closeout.ledger.admin.base import LedgerAdmin, LedgerInline, request_actor
from closeout.ledger.models import ApiToken, Profile, Unit, UnitAlias, UnitGroup

# ---------------------------------------------------------------------------- units


class UnitAliasInline(LedgerInline):
    model = UnitAlias
    fields = ("name", "former", "valid_until")


@admin.register(Unit)
class UnitAdmin(LedgerAdmin):
    list_display = ("name", "parent", "kind", "level", "code", "active")
    list_filter = ("kind", "level", "active")
    search_fields = ("name", "full_name", "aliases__name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth")
    inlines = (UnitAliasInline,)

    def save_model(self, request: HttpRequest, obj: Unit, form: ModelForm, change: bool) -> None:
        # unit_save keeps the tree paths of the unit and everything below it.
        services.unit_save(actor=request_actor(request), unit=obj)


@admin.register(UnitGroup)
class UnitGroupAdmin(LedgerAdmin):
    list_display = ("name", "owner")
    search_fields = ("name",)
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    filter_horizontal = ("members",)


# ---------------------------------------------------------------------------- accounts


@admin.register(Profile)
class ProfileAdmin(LedgerAdmin):
    list_display = ("user", "display_name", "role", "unit")
    list_filter = ("role",)
    search_fields = ("user__username", "display_name")
    list_select_related = ("user", "unit")
    raw_id_fields = ("user",)
    autocomplete_fields = ("unit",)


@admin.register(ApiToken)
class ApiTokenAdmin(LedgerAdmin):
    """Tokens are issued through the API or the CLI (the key is shown once there); here
    the office can rename or revoke one."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    fields = ("name", "user", "prefix", "key_hash", "created_at", "last_used_at", "revoked")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
