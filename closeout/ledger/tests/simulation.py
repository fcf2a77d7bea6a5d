"""The people of the eighteen-month simulation (`test_simulation`) and the ledger they
work on: the Jinan plan imported and confirmed through the demo's own steps, a login
for every lead and supervising unit, and what each of them does on a day, decided by a
seeded `random.Random` with a profile per task's unit (steady, forgetful, absent,
rebounding, dormant) so that every path of the closed loop is taken."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from closeout.ledger import clock, services
from closeout.ledger.access import Actor
from closeout.ledger.demo import jinan, users
from closeout.ledger.demo import ledger as demo_ledger
from closeout.ledger.errors import Conflict
from closeout.ledger.models import (
    AssignmentRole,
    Escalation,
    EscalationRule,
    LookbackCheck,
    LookbackState,
    Objection,
    Role,
    Task,
    TaskUnit,
    Unit,
)
from closeout.ledger.rules import calendar
from closeout.ledger.rules.escalation import DEFAULT_RULES, Level
from closeout.ledger.rules.workflow import DONE_STATES, REPORTING_STATES, Status
from closeout.ledger.tests.factories import PDF, make_users

START, END = dt.date(2024, 7, 1), dt.date(2025, 12, 31)
YEARS_MOVED = 6  # the plan was issued on 29 June 2018

# What the responsible unit of a task is like: the chance it reports in a given week,
# that it catches up a missed week late, how fast it works (percentage points per
# report), the chance a look-back finds the problem back, and whether it answers the
# measures it gets. A dormant unit does nothing at all: its task only meets the sweep.
PROFILES = {
    "steady": {"diligence": 0.95, "catch_up": 0.3, "pace": (15, 40), "rebound": 0.05},
    "forgetful": {"diligence": 0.5, "catch_up": 0.2, "pace": (10, 30), "rebound": 0.15},
    "absent": {"diligence": 0.1, "catch_up": 0.05, "pace": (5, 20), "rebound": 0.2},
    "rebounding": {"diligence": 0.9, "catch_up": 0.3, "pace": (20, 45), "rebound": 0.9},
    "dormant": {"diligence": 0.0, "catch_up": 0.0, "pace": (0, 0), "rebound": 0.0},
}
# How many of the plan's 61 tasks have units of each kind.
KINDS = {"steady": 11, "forgetful": 6, "absent": 3, "rebounding": 4, "dormant": 37}


@dataclass
class Loop:
    """The people of the simulation and what they did."""

    rng: random.Random
    office: Actor
    unit: dict[int, Actor]  # task id → the login of its (first) lead unit
    supervisor: dict[int, Actor]  # task id → the login of its supervising unit
    profile: dict[int, dict[str, Any]]
    report_day: dict[int, int]  # task id → the weekday its unit reports on
    public: Actor = field(default_factory=lambda: Actor.of(None))
    # task id → (status before, status after, transition), as the simulation saw them
    history: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)
    done: Counter[str] = field(default_factory=Counter)  # what happened, for coverage
    requested_on: dict[int, dt.date] = field(default_factory=dict)
    reopened: set[int] = field(default_factory=set)  # sent back, withdrawn or rebounded
    manual_causes: dict[int, str] = field(default_factory=dict)

    # --- every transition goes through here, so the simulation keeps its own record

    def take(self, actor: Actor, task: Task, name: str, note: str = "", **inputs: Any) -> Task:
        before = task.status
        after = services.task_transition(
            actor=actor, task_id=task.pk, name=name, note=note, **inputs
        )
        self.history.setdefault(task.pk, []).append((before, after.status, name))
        self.done[name] += 1
        return after

    # --- a day ---------------------------------------------------------------------

    def act(self, day: dt.date) -> None:
        working = calendar.is_working_day(day)
        for task in Task.objects.filter(pk__in=self.unit).order_by("id"):
            if task.status in REPORTING_STATES and day.weekday() == self.report_day[task.pk]:
                self.report(day, task)
            if task.status == Status.NOTICE and self.rng.random() < 0.06:
                self.object(task)  # the public objects on any day
            if working:
                self.move(day, task)
        if working:
            self.answer_objections()
            self.look_back(day)
            self.respond_to_measures()
            self.office_measures(day)

    def report(self, day: dt.date, task: Task) -> None:
        """The weekly progress report (进展报送), a late one for a missed week, or none.
        Once a task is filed as sustained its unit reports less faithfully."""
        profile, rng = self.profile[task.pk], self.rng
        if task.state.missed_reports and rng.random() < profile["catch_up"]:
            services.report_create(
                actor=self.unit[task.pk],
                task_id=task.pk,
                text="补报:上周整改进展。",
                period=task.state.missed_since,
            )
            self.done["late_report"] += 1
            return
        diligence = profile["diligence"] / (2 if task.status == Status.SUSTAINED else 1)
        if rng.random() >= diligence:
            return
        percent = None
        if task.status == Status.IN_PROGRESS:
            low, high = profile["pace"]
            percent = min(100, task.progress + rng.randint(low, high))
            if task.pk in self.reopened:  # the work starts over after a rebound
                percent = rng.randint(40, 70)
                self.reopened.discard(task.pk)
            elif task.due_date is not None:  # a dated task keeps near its time line
                percent = min(percent, max(task.progress, _elapsed(task, day) + 10))
        fell = percent is not None and percent < task.progress
        services.report_create(
            actor=self.unit[task.pk],
            task_id=task.pk,
            text="本周整改进展。",
            percent=percent,
            reason="回头看发现反弹,重新整改。" if fell else "",
        )
        self.done["report"] += 1

    def move(self, day: dt.date, task: Task) -> None:
        """What the unit, the supervisor and the office do with the task today."""
        rng, unit, supervisor = self.rng, self.unit[task.pk], self.supervisor[task.pk]
        if task.status == Status.IN_PROGRESS and task.progress == 100 and rng.random() < 0.4:
            first = not task.evidence.exists()
            self.take(
                unit,
                task,
                "request_closeout",
                data={
                    "assessment": {
                        c: f"{c}:经自查已达到验收标准。" for c in services.acceptance_criteria(task)
                    }
                },
                files=[services.Upload("整改完成情况报告.pdf", PDF)] if first else [],
            )
            self.requested_on[task.pk] = day
        elif task.status == Status.REQUESTED and self.requested_on.get(task.pk) != day:
            roll = rng.random()
            # the first request the loop decides on is withdrawn, so that the path is
            # taken whatever the random walk does on this database
            if roll < 0.05 or not self.done["withdraw_request"]:
                self.take(unit, task, "withdraw_request", note="补充材料后重新申请")
                self.back_to_work(task)
            elif roll < 0.10:
                self.take(supervisor, task, "send_back", note="初审:佐证材料不足,退回。")
                self.back_to_work(task)
            elif roll < 0.45:
                self.take(supervisor, task, "pass_review", note="初审通过,进入公示。")
        elif task.status == Status.NOTICE and day > task.notice_until:
            open_objections = task.objections.filter(answered_at__isnull=True).exists()
            if not open_objections and rng.random() < 0.3:
                self.take(self.office, task, "end_notice", note="公示期满。")
                self.done["end_notice_by_office"] += 1
        elif task.status == Status.VERIFICATION and rng.random() < 0.35:
            if rng.random() < 0.12:
                self.take(supervisor, task, "send_back", note="现场核查:问题仍然存在,退回。")
                self.back_to_work(task)
            else:
                data = {"checked_on": day, "inspectors": "督导组 王某、李某"}
                self.take(supervisor, task, "verify", note="现场核查属实。", data=data)
        elif task.status == Status.VERIFIED and rng.random() < 0.4:
            if rng.random() < 0.05:
                self.take(self.office, task, "send_back", note="备案审查:材料不完整,退回。")
                self.back_to_work(task)
            else:
                number = f"济整改销〔{day.year}〕{task.seq}号"
                self.take(self.office, task, "file", note="准予销号。", data={"number": number})

    def back_to_work(self, task: Task) -> None:
        """A close-out sent back or withdrawn: the unit has more to do, and its next
        reports start again below 100."""
        self.reopened.add(task.pk)

    def object(self, task: Task) -> None:
        services.objection_lodge(
            actor=self.public,
            task_id=task.pk,
            text="整改后仍有群众反映问题未解决。",
            name=self.rng.choice(["张先生", "李女士", ""]),
        )
        self.done["objection"] += 1

    def answer_objections(self) -> None:
        for objection in Objection.objects.filter(answered_at__isnull=True).select_related("task"):
            if self.rng.random() < 0.35:
                who = self.office if self.rng.random() < 0.5 else self.supervisor[objection.task_id]
                services.objection_answer(
                    actor=who, objection_id=objection.pk, answer="经复核,已整改到位,予以答复。"
                )
                until = objection.task.notice_until
                if until is not None and clock.today() > until:
                    self.done["objection_answered_after_notice"] += 1

    def look_back(self, day: dt.date) -> None:
        """Supervisors record the look-backs that have fallen due (回头看)."""
        due = LookbackCheck.objects.filter(state=LookbackState.SCHEDULED, due_on__lte=day)
        for check in due.select_related("task").order_by("id"):
            if self.rng.random() >= 0.3:
                continue
            rebound = self.rng.random() < self.profile[check.task_id]["rebound"]
            before = check.task.status
            services.lookback_record(
                actor=self.supervisor[check.task_id],
                check_id=check.pk,
                rebound=rebound,
                findings="问题反弹,重新整改。" if rebound else "整改成果巩固,未发现反弹。",
            )
            self.done["lookback_rebound" if rebound else "lookback_stable"] += 1
            if rebound:
                self.history.setdefault(check.task_id, []).append(
                    (before, Status.IN_PROGRESS, "reopen")
                )
                self.done["reopen"] += 1
                self.reopened.add(check.task_id)

    def respond_to_measures(self) -> None:
        waiting = Escalation.objects.filter(responded_at__isnull=True, lifted_on__isnull=True)
        for measure in waiting.order_by("id"):
            if self.profile[measure.task_id]["diligence"] and self.rng.random() < 0.25:
                services.escalation_respond(
                    actor=self.unit[measure.task_id],
                    escalation_id=measure.pk,
                    response="已制定整改计划,正在推进。",
                )
                self.done["measure_responded"] += 1

    def office_measures(self, day: dt.date) -> None:
        """A summons (约谈) is followed by a regional approval hold (区域限批) the office
        issues by hand, once per task; the office lifts it once the unit has answered and
        the task is done."""
        summoned = Escalation.objects.filter(level=Level.SUMMONS, lifted_on__isnull=True)
        for task_id in sorted(set(summoned.values_list("task_id", flat=True))):
            if task_id in self.manual_causes or self.rng.random() >= 0.2:
                continue
            cause = f"济整改限批〔{day.year}〕{len(self.manual_causes) + 1}号"
            services.escalation_issue(
                actor=self.office,
                task_id=task_id,
                level=Level.REGION_HOLD,
                reason="经约谈后整改仍不到位,实行区域限批。",
                cause_key=cause,
            )
            self.manual_causes[task_id] = cause
            self.done["manual_measure"] += 1
            # The same measure for the same cause is refused, whoever tries again.
            with pytest.raises(Conflict):
                services.escalation_issue(
                    actor=self.supervisor[task_id],
                    task_id=task_id,
                    level=Level.REGION_HOLD,
                    reason="重复",
                    cause_key=cause,
                )
        liftable = Escalation.objects.filter(
            manual=True, lifted_on__isnull=True, responded_at__isnull=False
        ).select_related("task")
        for measure in liftable:
            if measure.task.status in DONE_STATES and self.rng.random() < 0.3:
                services.escalation_lift(
                    actor=self.office, escalation_id=measure.pk, reason="已整改到位,解除限批。"
                )
                self.done["manual_lifted"] += 1


def _elapsed(task: Task, day: dt.date) -> int:
    """The share of the task's time that has passed, in percent."""
    assert task.start_date is not None and task.due_date is not None
    total = (task.due_date - task.start_date).days
    return 100 if total <= 0 else max(0, min(100, 100 * (day - task.start_date).days // total))


# --- the ledger and its people ---------------------------------------------------------


def load(monkeypatch: pytest.MonkeyPatch, seed: int) -> Loop:
    """The Jinan plan imported and confirmed on START, its deadlines moved with it, and a
    login for every lead unit and every supervising unit of its tasks."""
    monkeypatch.setattr(demo_ledger, "JINAN_IMPORTED_ON", START)
    monkeypatch.setattr(demo_ledger, "JINAN_CONFIRMED_ON", START)
    # A transactional test elsewhere may have flushed the rules the migration installs.
    for rule in DEFAULT_RULES:
        EscalationRule.objects.get_or_create(
            level=rule.level, trigger=rule.trigger, threshold=rule.threshold
        )
    with clock.frozen_at(START):
        office = Actor.of(users.ensure_office(Actor(role=Role.OFFICE, label="simulation")))
        registry = jinan.load_units(office)
    outcome = demo_ledger.import_jinan(office, registry)
    with clock.frozen_at(START):
        for task in outcome.plan.tasks.exclude(due_date=None):
            assert task.due_date is not None
            moved = task.due_date.replace(year=task.due_date.year + YEARS_MOVED)
            services.task_update(actor=office, task_id=task.pk, changes={"due_date": moved})
    loaded = demo_ledger.review_and_confirm(office, registry, outcome.plan)

    # The first lead unit (the one measures address) and the supervising unit of each task.
    first: dict[tuple[int, str], int] = {}
    roles = {AssignmentRole.LEAD: Role.UNIT, AssignmentRole.SUPERVISING: Role.SUPERVISOR}
    rows = TaskUnit.objects.filter(task__plan=loaded.plan, role__in=roles).order_by("id")
    for task_id, unit_id, role in rows.values_list("task_id", "unit_id", "role"):
        first.setdefault((task_id, roles[role]), unit_id)
    logins: dict[tuple[str, int], Actor] = {}
    with clock.frozen_at(START):
        for role, unit_id in sorted(set((role, unit) for (_, role), unit in first.items())):
            name = f"sim-{role}-{unit_id}"
            made = make_users(office, **{name: (role, Unit.objects.get(pk=unit_id))})
            logins[role, unit_id] = Actor.of(made[name])
    tasks = [task.pk for task in loaded.tasks]
    rng = random.Random(seed)
    kinds = [kind for kind, count in KINDS.items() for _ in range(count)]
    assert len(kinds) == len(tasks)
    rng.shuffle(kinds)
    return Loop(
        rng=rng,
        office=office,
        unit={t: logins[Role.UNIT, first[t, Role.UNIT]] for t in tasks},
        supervisor={t: logins[Role.SUPERVISOR, first[t, Role.SUPERVISOR]] for t in tasks},
        profile={t: PROFILES[kind] for t, kind in zip(tasks, kinds, strict=True)},
        report_day={t: rng.randrange(5) for t in tasks},
    )
