"""The machinery of the permission matrix (test_permission_matrix): a task with a user in
every relation to it, the task put where each action is taken, and each action as the
services, the API and the pages take it. The expectations stay in the test module."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from closeout.ledger import clock, selectors, services
from closeout.ledger.access import Actor
from closeout.ledger.models import (
    AssignmentRole,
    CloseoutStep,
    Escalation,
    LookbackCheck,
    Objection,
    ProgressReport,
    Role,
    StepKind,
    Task,
    UnitKind,
    UnitLevel,
)
from closeout.ledger.rules.workflow import Status, transition_rules
from closeout.ledger.tests.factories import PDF, PlanFactory, ProblemFactory, make_users, unit


@dataclass
class Matrix:
    task: Task
    users: dict[str, Any]  # role → user (None for the public)
    requester: Any

    def actor(self, role: str) -> Actor:
        return Actor.of(self.users[role])


def build() -> Matrix:
    office = Actor(role=Role.OFFICE, label="setup")
    city = unit("济南市", UnitKind.REGION, UnitLevel.CITY)
    lead = unit("市生态环境局", UnitKind.DEPARTMENT, UnitLevel.CITY, city)
    coop = unit("市城乡水务局", UnitKind.DEPARTMENT, UnitLevel.CITY, city)
    other = unit("市审计局", UnitKind.DEPARTMENT, UnitLevel.CITY, city)
    sup = unit("市督导组", UnitKind.GROUP_OFFICE, UnitLevel.CITY, city)
    other_sup = unit("第二督导组", UnitKind.GROUP_OFFICE, UnitLevel.CITY, city)
    problem = ProblemFactory(plan=PlanFactory(published=True))
    ref = services.UnitRef
    task = services.task_create(
        actor=office,
        problem=problem,
        seq=1,
        text="整改任务:河道黑臭水体治理",
        units=[
            ref(lead, AssignmentRole.LEAD),
            ref(coop, AssignmentRole.COOP),
            ref(sup, AssignmentRole.SUPERVISING),
        ],
        start_date=dt.date(2025, 1, 1),
    )
    services.task_create(  # the other units have a task of their own
        actor=office,
        problem=problem,
        seq=2,
        text="整改任务:审计整改",
        units=[ref(other, AssignmentRole.LEAD), ref(other_sup, AssignmentRole.SUPERVISING)],
    )
    users: dict[str, Any] = make_users(
        office,
        office=(Role.OFFICE, None),
        requester=(Role.OFFICE, None),
        lead=(Role.UNIT, lead),
        coop=(Role.UNIT, coop),
        other_unit=(Role.UNIT, other),
        supervisor=(Role.SUPERVISOR, sup),
        other_supervisor=(Role.SUPERVISOR, other_sup),
        leader=(Role.LEADER, None),
    )
    users["public"] = None
    task = services.task_transition(actor=office, task_id=task.pk, name="confirm")
    return Matrix(task, users, users["requester"])


# What each action needs: the state it is taken from, and the record it acts on.
FROM_STATE = {
    "confirm": Status.DRAFT,
    "request_closeout": Status.IN_PROGRESS,
    "withdraw_request": Status.REQUESTED,
    "pass_review": Status.REQUESTED,
    "end_notice": Status.NOTICE,
    "verify": Status.VERIFICATION,
    "file": Status.VERIFIED,
    "send_back": Status.VERIFICATION,
    "reopen": Status.CLOSED,
    "lodge_objection": Status.NOTICE,
    "answer_objection": Status.NOTICE,
    "mark_spam": Status.NOTICE,
    "record_lookback": Status.CLOSED,
}
CLOSED_ON = dt.date(2025, 5, 30)


@dataclass
class Setup:
    task: Task
    state: str
    record: Any = None  # the objection, measure or look-back check acted on


def prepare(m: Matrix, action: str) -> Setup:
    """Put the task where `action` is taken: its state, the request of the current round
    (by the requester) from "requested" on, and the record the action needs."""
    state = FROM_STATE.get(action, Status.IN_PROGRESS)
    task = m.task
    fields: dict[str, Any] = {"status": state}
    if state not in (Status.DRAFT, Status.IN_PROGRESS):
        fields["closeout_round"] = 1
        CloseoutStep.objects.create(
            task=task,
            round=1,
            kind=StepKind.REQUEST,
            at=clock.now() - dt.timedelta(days=30),
            actor=m.requester,
            actor_label=m.requester.get_username(),
            data={},
        )
    if state == Status.NOTICE:
        fields["notice_until"] = clock.today() - dt.timedelta(days=1)
    if state == Status.CLOSED:
        fields["closed_on"] = CLOSED_ON
    Task.objects.filter(pk=task.pk).update(**fields)
    task = Task.objects.get(pk=task.pk)
    setup = Setup(task, state)
    if action in ("answer_objection", "mark_spam"):
        setup.record = Objection.objects.create(
            task=task, round=1, lodged_at=clock.now(), text="河道仍有异味", name="王先生"
        )
    elif action in ("respond", "lift"):
        setup.record = services.escalation_issue(
            actor=m.actor("office"),
            task_id=task.pk,
            level="region_hold",
            reason="整改严重滞后",
            cause_key="济整改办〔2025〕7号",
        )
    elif action == "record_lookback":
        setup.record = LookbackCheck.objects.create(
            task=task,
            closed_on=CLOSED_ON,
            months=3,
            due_on=clock.today(),
            scheduled_on=CLOSED_ON,
        )
    return setup


def done(action: str, s: Setup) -> bool:
    """Whether the action took effect."""
    task = Task.objects.get(pk=s.task.pk)
    if action in transition_rules():
        return task.status != s.state
    record = type(s.record).objects.get(pk=s.record.pk) if s.record is not None else None
    return {
        "view": lambda: False,
        "edit": lambda: task.target == "改",
        "report": lambda: ProgressReport.objects.filter(task=task).exists(),
        "escalate": lambda: Escalation.objects.filter(task=task).exists(),
        "respond": lambda: record.responded_at is not None,
        "lift": lambda: record.lifted_on is not None,
        "lodge_objection": lambda: Objection.objects.filter(task=task).exists(),
        "answer_objection": lambda: record.answered_at is not None,
        "mark_spam": lambda: record.spam_at is not None,
        "record_lookback": lambda: record.state != "scheduled",
    }[action]()


def attempt(run: Callable[[], str], action: str, s: Setup) -> str:
    """One role's attempt, rolled back afterwards: "ok" when it succeeded and took
    effect, else what it was refused with."""
    cache.clear()  # the rate limits count attempts, not roles
    with transaction.atomic():
        outcome = run()
        effect = done(action, s)
        transaction.set_rollback(True)
    if action == "view":  # reading changes nothing
        return outcome
    if outcome == "ok" and not effect:
        return "ok, but nothing changed"
    if outcome != "ok" and effect:
        return f"{outcome}, but it changed"
    return outcome


# --------------------------------------------------------------------------- each action

STEP_NOTES = {
    "send_back": "佐证不足",
    "reopen": "回头看发现反弹",
    "cancel": "重复任务",
    "verify": "现场核查属实",
}


def step_data(name: str) -> dict[str, Any]:
    if name == "request_closeout":
        return {"assessment": {c: "已达到" for c in ("生态修复", "污染消除", "群众满意")}}
    if name == "verify":
        return {"checked_on": clock.today().isoformat(), "inspectors": "市督导组 张三"}
    return {}


def call_service(action: str, actor: Actor, s: Setup) -> Any:
    task_id, record = s.task.pk, s.record
    if action in transition_rules():
        name = action
        files = [services.Upload("evidence.pdf", PDF)] if name == "request_closeout" else []
        return services.task_transition(
            actor=actor,
            task_id=task_id,
            name=name,
            note=STEP_NOTES.get(name, ""),
            data=step_data(name),
            files=files,
        )
    calls: dict[str, Callable[[], Any]] = {
        "view": lambda: selectors.task_detail(actor, task_id),
        "edit": lambda: services.task_update(
            actor=actor, task_id=task_id, changes={"target": "改"}
        ),
        "report": lambda: services.report_create(
            actor=actor, task_id=task_id, text="本周完成排查", percent=30
        ),
        "escalate": lambda: services.escalation_issue(
            actor=actor, task_id=task_id, level="summons", reason="约谈", cause_key="A-2"
        ),
        "respond": lambda: services.escalation_respond(
            actor=actor, escalation_id=record.pk, response="已制定整改计划"
        ),
        "lift": lambda: services.escalation_lift(
            actor=actor, escalation_id=record.pk, reason="已整改到位"
        ),
        "lodge_objection": lambda: services.objection_lodge(
            actor=actor, task_id=task_id, text="河道仍有异味"
        ),
        "answer_objection": lambda: services.objection_answer(
            actor=actor, objection_id=record.pk, answer="已复核"
        ),
        "mark_spam": lambda: services.objection_mark_spam(
            actor=actor, objection_id=record.pk, reason="广告"
        ),
        "record_lookback": lambda: services.lookback_record(
            actor=actor, check_id=record.pk, rebound=False, findings="未发现反弹"
        ),
    }
    return calls[action]()


def clients(m: Matrix) -> dict[str, Client]:
    signed_in = {}
    for role, user in m.users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        signed_in[role] = client
    return signed_in


def _json(client: Client, path: str, body: Any) -> Any:
    return client.post(f"/api/{path}", json.dumps(body), content_type="application/json")


def call_api(action: str, client: Client, s: Setup) -> Any:
    task_id, record = s.task.pk, s.record
    if action in transition_rules():
        name = action
        if name == "request_closeout":
            return client.post(
                f"/api/tasks/{task_id}/closeout-request",
                {
                    "assessment": json.dumps(step_data(name)["assessment"], ensure_ascii=False),
                    "files": [SimpleUploadedFile("evidence.pdf", PDF)],
                },
            )
        body = {"note": STEP_NOTES.get(name, ""), "data": step_data(name)}
        return _json(client, f"tasks/{task_id}/transitions/{name}", body)
    if action == "view":
        return client.get(f"/api/tasks/{task_id}")
    if action == "edit":
        return client.patch(
            f"/api/tasks/{task_id}", json.dumps({"target": "改"}), content_type="application/json"
        )
    if action == "report":
        return client.post(f"/api/tasks/{task_id}/reports", {"text": "本周完成排查", "percent": 30})
    path, body = {
        "escalate": (
            f"tasks/{task_id}/escalations",
            {"level": "summons", "reason": "约谈", "cause": "A-2"},
        ),
        "respond": (f"escalations/{record and record.pk}/respond", {"response": "已制定计划"}),
        "lift": (f"escalations/{record and record.pk}/lift", {"reason": "已整改到位"}),
        "lodge_objection": (f"tasks/{task_id}/objections", {"text": "河道仍有异味"}),
        "answer_objection": (f"objections/{record and record.pk}/answer", {"answer": "已复核"}),
        "mark_spam": (f"objections/{record and record.pk}/spam", {"reason": "广告"}),
        "record_lookback": (
            f"lookbacks/{record and record.pk}",
            {"rebound": False, "findings": "未发现反弹"},
        ),
    }[action]
    return _json(client, path, body)


def form_of(action: str, s: Setup) -> tuple[str, dict[str, Any]]:
    task_id, pk = s.task.pk, s.record.pk if s.record is not None else 0
    if action in transition_rules():
        name = action
        data: dict[str, Any] = {f"{name}-note": STEP_NOTES.get(name, "")}
        if name == "request_closeout":
            data |= {f"{name}-assessment_{i}": "已达到" for i in range(3)}
            data[f"{name}-files"] = SimpleUploadedFile("evidence.pdf", PDF)
        if name == "verify":
            data |= {"verify-checked_on": clock.today().isoformat(), "verify-inspectors": "张三"}
        return reverse("web:task_transition", args=[task_id, name]), data
    return {
        "report": (reverse("web:task_report", args=[task_id]), {"text": "排查", "percent": 30}),
        "escalate": (
            reverse("web:escalation_issue", args=[task_id]),
            {
                "escalate-level": "summons",
                "escalate-reason": "约谈",
                "escalate-cause": "A-2",
                "escalate-response_days": "10",
            },
        ),
        "respond": (
            reverse("web:escalation_respond", args=[task_id, pk]),
            {f"respond-{pk}-response": "已制定计划"},
        ),
        "lift": (
            reverse("web:escalation_lift", args=[task_id, pk]),
            {f"lift-{pk}-reason": "已整改到位"},
        ),
        "lodge_objection": (
            reverse("web:objection_lodge", args=[task_id]),
            {"objection-text": "河道仍有异味"},
        ),
        "answer_objection": (
            reverse("web:objection_answer", args=[task_id, pk]),
            {f"answer-{pk}-answer": "已复核"},
        ),
        "mark_spam": (
            reverse("web:objection_spam", args=[task_id, pk]),
            {f"spam-{pk}-reason": "广告"},
        ),
        "record_lookback": (
            reverse("web:lookback_record", args=[task_id, pk]),
            {f"lookback-{pk}-outcome": "stable", f"lookback-{pk}-findings": "未发现反弹"},
        ),
    }[action]


def page_outcome(response: Any, task_id: int) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("web:login")):
            return "login"
        # the task's page, or for a visitor the task's public page (信息公开)
        pages = (
            reverse("web:task_detail", args=[task_id]),
            reverse("web:public_task", args=[task_id]),
        )
        assert location.startswith(pages), location
        return "ok"
    return str(response.status_code)


def offered(action: str, context: Any, s: Setup) -> bool:
    """Whether the task's page offers the action's form."""
    if action in transition_rules():
        return action in [form.rule.name for form, _ in context["transitions"]]
    pk = s.record.pk if s.record is not None else None
    measures = {row.escalation.pk: row for row in context["measures"]}
    objections = {o.pk: (answer, spam) for o, answer, spam in context["objections"]}
    return {
        "report": lambda: context["report_form"] is not None,
        "escalate": lambda: context["escalation_form"] is not None,
        "respond": lambda: measures[pk].respond_form is not None,
        "lift": lambda: measures[pk].lift_form is not None,
        "lodge_objection": lambda: context["objection_form"] is not None,
        "answer_objection": lambda: objections[pk][0] is not None,
        "mark_spam": lambda: objections[pk][1] is not None,
        "record_lookback": lambda: dict(context["lookbacks"])[s.record] is not None,
    }[action]()


