"""The caller's own account: who am I, and my API tokens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from closeout.api.auth import actor, session_auth
from closeout.api.schemas import ErrorOut, MeOut, TokenCreatedOut, TokenIn, TokenOut
from closeout.ledger import selectors, services
from closeout.ledger.models import Role

router = Router(tags=["account"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _token(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "revoked": t.revoked,
    }


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    who = actor(request)
    unit = selectors.actor_unit(who)
    return {
        "username": request.user.get_username(),
        "role": who.role,
        "role_label": str(Role(who.role).label) if who.role in Role.values else who.role,
        "unit": {"id": unit.pk, "name": unit.name} if unit else None,
    }


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="My API tokens")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [_token(t) for t in selectors.tokens_of(request.user.pk or 0)]


# Only a signed-in browser session may mint a token: a token must not breed tokens.
@router.post(
    "/tokens",
    auth=session_auth,
    response={201: TokenCreatedOut, **ERRORS},
    summary="Create an API token",
)
def create_token(request: HttpRequest, payload: TokenIn) -> tuple[int, dict[str, Any]]:
    """The key is in this response only; keep it. Use it as `Authorization: Bearer <key>`."""
    token, key = services.token_create(
        actor=actor(request), user=request.user, name=payload.name.strip()
    )
    return 201, {**_token(token), "key": key}


@router.delete(
    "/tokens/{int:token_id}", response={204: None, **ERRORS}, summary="Revoke one of my API tokens"
)
def revoke_token(request: HttpRequest, token_id: int) -> tuple[int, None]:
    services.token_revoke(actor=actor(request), token_id=token_id)
    return 204, None
