"""The leader board (挂图作战): the state of the whole rectification at a glance, for the
office and the leaders. The page shows the charts as images the server draws
(closeout.web.charts) with the figures beside them as tables, so the board reads the same
with a screen reader, on paper and without internet; each chart downloads as SVG or PNG.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import DomainError, NotFound, NotPermitted
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.selectors import board as reads
from closeout.ledger.services import indicators as indicator_services
from closeout.web import charts
from closeout.web.boardforms import BoardFilterForm, IndicatorForm, ReadingForm
from closeout.web.forms import add_domain_error

BOARD_CHARTS: dict[str, Callable[[Actor, Any], dict[str, Any]]] = {
    "buckets": lambda actor, plan: charts.bucket_shares(reads.bucket_series(actor, plan)),
    "ranking": lambda actor, plan: charts.unit_ranking(reads.unit_ranking(actor, plan)),
    "burndown": lambda actor, plan: charts.burn_down(reads.burn_down(actor, plan)),
}


def _read(call: Callable[..., Any], *args: Any) -> Any:
    try:
        return call(*args)
    except NotPermitted as e:
        raise PermissionDenied(e.message) from None
    except NotFound:
        raise Http404 from None


def _scope(request: HttpRequest, actor: Actor) -> reads.BoardScope:
    return _read(reads.board_scope, actor, BoardFilterForm(request.GET).plan_id())


def _image(request: HttpRequest, spec: dict[str, Any], fmt: str, name: str) -> HttpResponse:
    if fmt not in charts.FORMATS:
        raise Http404
    response = HttpResponse(charts.render(spec, fmt), content_type=charts.FORMATS[fmt])
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _cells(latest: reads.PeriodCounts | None) -> list[dict[str, Any]]:
    if latest is None:
        return []
    return [
        {
            "bucket": b.value,
            "label": b.label,
            "tasks": latest.buckets.get(b.value, 0),
            "percent": round(latest.share(b.value) * 100),
        }
        for b in Bucket
    ]


@require_GET
@login_required
def board(request: HttpRequest) -> HttpResponse:
    actor = Actor.of(request.user)
    scope = _scope(request, actor)
    series = reads.bucket_series(actor, scope.plan)
    return render(
        request,
        "web/board/board.html",
        {
            "scope": scope,
            "series": series,
            "latest": series[-1] if series else None,
            "latest_cells": _cells(series[-1] if series else None),
            "bucket_labels": [b.label for b in Bucket],
            "series_rows": [
                {"period": p, "cells": [p.buckets.get(b, 0) for b in Bucket.values]}
                for p in reversed(series)
            ],
            "ranking": reads.unit_ranking(actor, scope.plan),
            "burn": reads.burn_down(actor, scope.plan),
            "indicators": reads.plan_indicators(actor, scope.plan),
            "query": f"?plan={scope.plan.pk}" if scope.plan else "",
            "may_record": access.can_record_indicators(actor),
            "indicator_form": IndicatorForm(prefix="indicator"),
            "reading_form": ReadingForm(prefix="reading"),
            "page_url": request.get_full_path(),
        },
    )


@require_GET
@login_required
def board_chart(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    actor = Actor.of(request.user)
    if name not in BOARD_CHARTS:
        raise Http404
    scope = _scope(request, actor)
    spec = BOARD_CHARTS[name](actor, scope.plan)
    return _image(request, spec, fmt, f"{name}-{scope.plan.pk}" if scope.plan else name)


@require_GET
@login_required
def problem_timeline(request: HttpRequest, problem_id: int) -> HttpResponse:
    actor = Actor.of(request.user)
    data = _read(reads.problem_timeline, actor, problem_id)
    return render(
        request,
        "web/board/timeline.html",
        {
            "data": data,
            "rows": [
                {"task": t, "bucket": Bucket(t.bucket).label if t.bucket else ""}
                for t in data.tasks
            ],
            "page_url": request.get_full_path(),
        },
    )


@require_GET
@login_required
def problem_timeline_chart(request: HttpRequest, problem_id: int, fmt: str) -> HttpResponse:
    actor = Actor.of(request.user)
    data = _read(reads.problem_timeline, actor, problem_id)
    return _image(request, charts.timeline(data), fmt, f"timeline-{problem_id}")


@require_GET
@login_required
def indicator_chart(request: HttpRequest, indicator_id: int, fmt: str) -> HttpResponse:
    actor = Actor.of(request.user)
    track = _read(reads.indicator_track, actor, indicator_id)
    return _image(request, charts.indicator(track), fmt, f"indicator-{indicator_id}")


def _back(plan_id: int | None) -> HttpResponse:
    url = reverse("web:board")
    return redirect(f"{url}?plan={plan_id}#indicators" if plan_id else f"{url}#indicators")


def _refuse(request: HttpRequest, form: Any, error: DomainError | None) -> None:
    if error is not None:
        add_domain_error(form, error)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}: {message}" if label else message)


@require_POST
@login_required
def indicator_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = Actor.of(request.user)
    if not access.can_record_indicators(actor):
        raise PermissionDenied(_("Indicators are entered by the rectification office."))
    form = IndicatorForm(request.POST, prefix="indicator")
    if form.is_valid():
        try:
            indicator_services.add_indicator(actor, plan_id, **form.service_kwargs())
        except NotFound:
            raise Http404 from None
        except DomainError as e:
            _refuse(request, form, e)
        else:
            messages.success(request, _("Indicator added."))
    else:
        _refuse(request, form, None)
    return _back(plan_id)


@require_POST
@login_required
def reading_record(request: HttpRequest, indicator_id: int) -> HttpResponse:
    actor = Actor.of(request.user)
    track = _read(reads.indicator_track, actor, indicator_id)
    form = ReadingForm(request.POST, prefix=f"reading-{indicator_id}")
    if form.is_valid():
        try:
            indicator_services.record_reading(actor, indicator_id, **form.service_kwargs())
        except NotPermitted as e:
            raise PermissionDenied(e.message) from None
        except DomainError as e:
            _refuse(request, form, e)
        else:
            messages.success(request, _("Value recorded."))
    else:
        _refuse(request, form, None)
    return _back(track.indicator.plan_id)
