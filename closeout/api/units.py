"""Units (单位), plans (整改方案) and inspections (督察): what the task filters pick from."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from closeout.api.auth import actor
from closeout.api.params import Id
from closeout.api.schemas import (
    ErrorOut,
    InspectionOut,
    PlanOut,
    UnitCountsOut,
    UnitPageOut,
    UnitQuery,
    ValidationErrorOut,
)
from closeout.ledger import selectors
from closeout.ledger.models import AssignmentRole, InspectionKind

router = Router()

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get("/units", response={200: UnitPageOut, **ERRORS}, tags=["units"], summary="List units")
def list_units(request: HttpRequest, filters: Query[UnitQuery]) -> dict[str, Any]:
    """The units the caller may pick in filters, in tree order (flat, with `path`)."""
    qs = selectors.unit_search(actor(request), parent=filters.parent, q=filters.q)
    start = (filters.page - 1) * filters.page_size
    return {
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [
            {
                "id": u.pk,
                "name": u.name,
                "full_name": u.full_name,
                "kind": u.kind,
                "level": u.level,
                "parent": u.parent_id,
                "path": u.path,
                "depth": u.depth,
                "active": u.active,
            }
            for u in qs[start : start + filters.page_size]
        ],
    }


@router.get(
    "/units/status-counts",
    response={200: list[UnitCountsOut], **ERRORS},
    tags=["units"],
    summary="Task counts by status per unit",
)
def status_counts(
    request: HttpRequest, parent: Id | None = None, role: AssignmentRole = AssignmentRole.LEAD
) -> list[dict[str, Any]]:
    """For each unit directly below `parent` (or each top unit): how many of the tasks the
    caller may see its subtree takes part in with `role`, by status."""
    rows = selectors.unit_status_counts(actor(request), parent=parent, role=role.value)
    return [{"unit": r.unit_id, "name": r.name, "counts": r.counts, "total": r.total} for r in rows]


@router.get("/plans", response={200: list[PlanOut], **ERRORS}, tags=["plans"], summary="List plans")
def list_plans(request: HttpRequest) -> list[dict[str, Any]]:
    """Plans in which the caller can see at least one task (all of them for the office)."""
    fields = (
        "id",
        "title",
        "issuer",
        "issued_on",
        "status",
        "version",
        "published",
        "report_cycle",
    )
    # only(): a plan row carries its whole source text, which a list never needs.
    return [
        {name: getattr(p, name) for name in fields}
        for p in selectors.plans_for(actor(request)).only(*fields)
    ]


@router.get(
    "/inspections",
    response={200: list[InspectionOut], **ERRORS},
    tags=["plans"],
    summary="List inspections",
)
def list_inspections(request: HttpRequest) -> list[dict[str, Any]]:
    """Inspections in which the caller can see at least one task (all for the office)."""
    return [
        {
            "id": i.pk,
            "kind": i.kind,
            "kind_label": str(InspectionKind(i.kind).label),
            "round": i.round,
            "name": i.name,
            "team": i.team,
            "region": i.region_id,
            "entered_on": i.entered_on,
            "left_on": i.left_on,
            "feedback_on": i.feedback_on,
        }
        # defer(): the feedback text can be long and a list never shows it.
        for i in selectors.inspections_for(actor(request)).defer("feedback_text")
    ]
