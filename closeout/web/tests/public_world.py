"""A ledger full of things the public portal must never show, for the portal's tests.

On top of the test world (`factories.build_world`, one published plan, three tasks):
- `own` (lead 市生态环境局) under public notice: its close-out requested by the login
  `zhang.wei` (display name 张伟, an e-mail address) with a self-assessment and an
  evidence file, passed by `li.na` with an opinion; a progress report with a file; a
  responsible person with a phone number; an objection with the objector's name and
  phone, answered; another marked as spam with a reason;
- `child` closed out, looked back on (stable) with findings;
- `foreign` overdue, with an escalation measure (约谈) and a missed report, and an audit
  event with a note;
- a draft plan, an unpublished plan, a superseded plan, a cancelled task: none of them
  public.

`SECRETS` lists every string of the above that is not public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from closeout.ledger import clock, services, sweep
from closeout.ledger.access import Actor
from closeout.ledger.models import (
    AuditEvent,
    LookbackCheck,
    MissedReport,
    Objection,
    Plan,
    Problem,
    Role,
    Task,
    TaskPerson,
)
from closeout.ledger.tests.factories import (
    PDF,
    PlanFactory,
    ProblemFactory,
    World,
    make_task,
    make_users,
    take,
)

UNIT_LOGIN, SUPERVISOR_LOGIN, OFFICE_LOGIN = "zhang.wei", "li.na", "wang.office"
PHONE, OBJECTOR_PHONE = "13912345678", "13800138000"
SECRETS = (
    UNIT_LOGIN,
    SUPERVISOR_LOGIN,
    OFFICE_LOGIN,
    "张伟",  # a display name, and a responsible person's name
    "李娜",
    "王主任",
    "example.cn",  # e-mail addresses
    PHONE,
    OBJECTOR_PHONE,
    "王五",  # the objector's name
    "REPORT-SECRET",
    "secret-evidence.pdf",
    "ASSESSMENT-SECRET",
    "REQUEST-NOTE-SECRET",
    "REVIEW-OPINION-SECRET",
    "SPAM-SECRET",
    "SPAM-REASON-SECRET",
    "FINDINGS-SECRET",
    "ESCALATION-SECRET",
    "济整改办〔2025〕99号",  # the measure's document number
    "AUDIT-SECRET",
    "DRAFT-PLAN-SECRET",
    "DRAFT-TASK-SECRET",
    "UNPUBLISHED-SECRET",
    "SUPERSEDED-SECRET",
    "CANCELLED-SECRET",
    'data-testid="missed-reports"',
    "evidence/",  # no link to an evidence file
)
ANSWER, OBJECTION = "已复核,整改到位", "河道仍有异味"


@dataclass
class PortalWorld:
    world: World
    notice: Task
    closed: Task
    overdue: Task
    draft_plan: Plan
    draft_task: Task
    unpublished_plan: Plan
    unpublished_task: Task
    superseded_plan: Plan
    cancelled: Task
    problem: Problem
    draft_problem: Problem

    def hidden_tasks(self) -> list[Task]:
        return [self.draft_task, self.unpublished_task, self.cancelled]

    def hidden_plans(self) -> list[Plan]:
        return [self.draft_plan, self.unpublished_plan, self.superseded_plan]


def _request(task: Task, actor: Actor) -> None:
    criteria = services.acceptance_criteria(task)
    services.task_transition(
        actor=actor,
        task_id=task.pk,
        name="request_closeout",
        note="REQUEST-NOTE-SECRET",
        data={"assessment": dict.fromkeys(criteria, "ASSESSMENT-SECRET")},
        files=[services.Upload("secret-evidence.pdf", PDF)],
    )


def build_portal_world(world: World) -> PortalWorld:
    office_setup = Actor(role=Role.OFFICE, label="setup")
    users = make_users(
        office_setup,
        **{
            UNIT_LOGIN: (Role.UNIT, world.env),
            SUPERVISOR_LOGIN: (Role.SUPERVISOR, world.supervising),
            OFFICE_LOGIN: (Role.OFFICE, None),
        },
    )
    for login, name in ((UNIT_LOGIN, "张伟"), (SUPERVISOR_LOGIN, "李娜"), (OFFICE_LOGIN, "王主任")):
        user = users[login]
        user.email = f"{login}@example.cn"
        user.save(update_fields=["email"])
        user.profile.display_name = name
        user.profile.save(update_fields=["display_name"])
    unit, supervisor, office = (
        Actor.of(users[n]) for n in (UNIT_LOGIN, SUPERVISOR_LOGIN, OFFICE_LOGIN)
    )

    # `child`: closed out in January, looked back on in May (the tests' today is June 9).
    child = world.child
    with clock.frozen_at(dt.date(2025, 1, 6)):
        take(world.actor("unit_licheng"), child, "request_closeout")
        take(office, child, "pass_review", note="REVIEW-OPINION-SECRET")
    until = Task.objects.get(pk=child.pk).notice_until
    with clock.frozen_at(until + dt.timedelta(days=3)):
        take(office, child, "end_notice")
        take(office, child, "verify", note="FINDINGS-SECRET on site")
        take(office, child, "file")
    closed_on = Task.objects.get(pk=child.pk).closed_on
    sweep.run(closed_on)
    check = LookbackCheck.objects.get(task_id=child.pk, months=3)
    with clock.frozen_at(check.due_on):
        services.lookback_record(
            actor=office, check_id=check.pk, rebound=False, findings="FINDINGS-SECRET 未反弹"
        )

    # `own`: on public notice now, with objections.
    own = world.own
    TaskPerson.objects.create(
        task=own, role="responsible", text=f"张伟 {PHONE}", unit=world.env, name="张伟"
    )
    services.report_create(
        actor=unit,
        task_id=own.pk,
        text="REPORT-SECRET 已清淤三公里",
        percent=60,
        files=[services.Upload("secret-evidence.pdf", PDF)],
    )
    _request(Task.objects.get(pk=own.pk), unit)
    take(supervisor, own, "pass_review", note="REVIEW-OPINION-SECRET")
    public = Actor.of(None)
    answered = services.objection_lodge(
        actor=public, task_id=own.pk, text=OBJECTION, name="王五", contact=OBJECTOR_PHONE
    )
    services.objection_answer(actor=office, objection_id=answered.pk, answer=ANSWER)
    spam = services.objection_lodge(
        actor=public, task_id=own.pk, text="SPAM-SECRET 广告", name="王五", contact=OBJECTOR_PHONE
    )
    services.objection_mark_spam(actor=office, objection_id=spam.pk, reason="SPAM-REASON-SECRET")

    # `foreign`: overdue, escalated, a report missed, an audit note.
    foreign = world.foreign
    services.escalation_issue(
        actor=office,
        task_id=foreign.pk,
        level="summons",
        reason="ESCALATION-SECRET 整改严重滞后",
        cause_key="济整改办〔2025〕99号",
    )
    MissedReport.objects.create(
        task=foreign,
        unit=world.water,
        period_start=dt.date(2025, 5, 5),
        period_end=dt.date(2025, 5, 11),
        due_by=dt.date(2025, 5, 12),
        recorded_on=dt.date(2025, 5, 13),
    )
    AuditEvent.objects.create(
        actor=users[OFFICE_LOGIN],
        actor_label=OFFICE_LOGIN,
        action="task.update",
        target_type="task",
        target_id=foreign.pk,
        task=foreign,
        note="AUDIT-SECRET note",
    )

    # What is not public at all.
    draft_plan = PlanFactory(status="draft", published=True, title="DRAFT-PLAN-SECRET")
    draft_problem = ProblemFactory(plan=draft_plan, seq=1, title="DRAFT-PLAN-SECRET problem")
    draft_task = make_task(draft_problem, 1, world.env, text="DRAFT-TASK-SECRET")
    unpublished_plan = PlanFactory(published=False, title="UNPUBLISHED-SECRET")
    unpublished_problem = ProblemFactory(plan=unpublished_plan, seq=1, title="UNPUBLISHED-SECRET")
    unpublished_task = make_task(unpublished_problem, 1, world.env, text="UNPUBLISHED-SECRET")
    take(office, unpublished_task, "confirm")
    superseded_plan = PlanFactory(status="superseded", published=True, title="SUPERSEDED-SECRET")
    ProblemFactory(plan=superseded_plan, seq=1, title="SUPERSEDED-SECRET")
    cancelled = make_task(own.problem, 7, world.env, text="CANCELLED-SECRET")
    take(office, cancelled, "confirm")
    take(office, cancelled, "cancel", note="duplicate")

    fresh = {t.pk: t for t in Task.objects.filter(pk__in=[own.pk, child.pk, foreign.pk])}
    assert fresh[own.pk].status == "notice" and fresh[child.pk].status == "closed"
    assert Objection.objects.filter(task=own).count() == 2
    return PortalWorld(
        world=world,
        notice=fresh[own.pk],
        closed=fresh[child.pk],
        overdue=fresh[foreign.pk],
        draft_plan=draft_plan,
        draft_task=draft_task,
        unpublished_plan=unpublished_plan,
        unpublished_task=unpublished_task,
        superseded_plan=superseded_plan,
        cancelled=cancelled,
        problem=own.problem,
        draft_problem=draft_problem,
    )


def public_urls(pw: PortalWorld) -> list[str]:
    """Every public page of the portal world, with its filters and pages."""
    from django.urls import reverse

    plan = pw.world.plan.pk
    urls = [
        reverse("web:public_index"),
        reverse("web:public_notice"),
        reverse("web:public_closed"),
        reverse("web:public_lookbacks"),
        reverse("web:public_plan", args=[plan]),
        reverse("web:public_problem", args=[pw.problem.pk]),
    ]
    plan_url = reverse("web:public_plan", args=[plan])
    urls += [
        f"{plan_url}?bucket={b}" for b in ("done", "sustained", "on_schedule", "behind", "overdue")
    ]
    urls += [f"{plan_url}?q=整改", f"{plan_url}?category=other&page=2"]
    urls += [reverse("web:public_task", args=[t.pk]) for t in (pw.notice, pw.closed, pw.overdue)]
    return urls


def any_secret(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def page_text(response: Any) -> str:
    return response.content.decode()
