"""The units' first screens: the responsible unit's workspace (工作台, "what I owe this
period") and the supervising unit's queue (待办). Each view calls one selector
(`closeout.ledger.selectors.workspace`) and renders; who may act is the selector's, from
`closeout.ledger.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from closeout.ledger.access import Actor
from closeout.ledger.errors import NotPermitted
from closeout.ledger.rules.workflow import transition_rules
from closeout.ledger.selectors import workspace as selectors
from closeout.ledger.selectors.people import ActorNames
from closeout.web import display
from closeout.web.forms import TransitionForm


@require_GET
@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """What the responsible unit owes this period, then its tasks by schedule bucket."""
    try:
        data = selectors.unit_workspace(Actor.of(request.user))
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    return render(
        request,
        "web/workspace/workspace.html",
        {"ws": data, "page_url": reverse("web:workspace")},
    )


@dataclass(frozen=True)
class QueueRow:
    """A queue item as shown: the round's steps labelled, and the form the row offers."""

    item: selectors.QueueItem
    steps: list[display.StepRow]
    form: Any = None


def _rows(
    items: selectors.Cut[selectors.QueueItem], names: ActorNames, step: str | None = None
) -> list[QueueRow]:
    rule = transition_rules()[step] if step else None
    return [
        QueueRow(
            item,
            [row for _round, rows in display.step_rounds(item.steps, names) for row in rows],
            # The step's own form, posted to the task's transition route; ids unique per row.
            TransitionForm(rule=rule, task=item.task, auto_id=f"q{item.task.pk}-%s")
            if rule is not None
            else None,
        )
        for item in items
    ]


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """What the supervising unit must act on: 初审, notices ending, 核查, 回头看."""
    actor = Actor.of(request.user)
    try:
        data = selectors.supervisor_queue(actor)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    names = ActorNames(actor, data.step_actor_ids())
    return render(
        request,
        "web/workspace/queue.html",
        {
            "queue": data,
            "review": _rows(data.review, names, "pass_review"),
            "notices": _rows(data.notices, names),
            "checks": _rows(data.checks, names),
            "lookbacks": _rows(data.lookbacks, names),
            "page_url": reverse("web:queue"),
        },
    )
