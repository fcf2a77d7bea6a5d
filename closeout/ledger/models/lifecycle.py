"""The task's state field and its transition methods, generated from the state table
(`closeout.ledger.rules.workflow.TRANSITIONS`), so that the table is declared once.

`ConcurrentTransitionMixin` turns the save into `UPDATE … WHERE status = <old state>`, so
two people acting on the same task at once can never both succeed.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition

from closeout.ledger.rules.workflow import TRANSITIONS, Status, TransitionRule, target_of


def _method(rule: TransitionRule) -> Any:
    def step(self: Any) -> None:
        """The state change is the whole effect here; the transition service does the rest."""

    step.__name__ = step.__qualname__ = rule.name
    step.__doc__ = rule.doc
    if len(rule.targets) == 1:
        target: Any = rule.targets[0]
    else:
        target = GET_STATE(
            lambda task, _rule=rule: target_of(_rule, ongoing=task.ongoing),
            states=list(rule.targets),
        )
    return transition(field="status", source=list(rule.sources), target=target)(step)


class TaskLifecycle(ConcurrentTransitionMixin, models.Model):
    """The state field of a task; its transition methods are added below, one per rule."""

    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    class Meta:
        abstract = True


for _rule in TRANSITIONS.values():
    setattr(TaskLifecycle, _rule.name, _method(_rule))
