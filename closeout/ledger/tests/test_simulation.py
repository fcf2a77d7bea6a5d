"""Eighteen months of the closed loop (闭环), day by day, on the parsed Jinan plan.

The Jinan 2018 plan (closeout/samples) is imported, reviewed and confirmed through the
demo's own steps (`closeout.ledger.demo.ledger`), but on 1 July 2024: the office moves
the plan's dated deadlines by the same six years before confirming it, so that they fall
inside and after the simulated span (the holiday calendar covers up to 2026). That gives
61 tasks, most of them 立行立改、长期坚持 (due at once, filed as "sustained"), a few
with year-end deadlines; every lead unit and supervising unit gets a login.

Then every day from 1 July 2024 to 31 December 2025 (549 days), with the clock frozen
at that day, the people act through the services — responsible units report weekly as
the plan asks (每周调度), or forget to and sometimes catch up late, ask for close-out
with a self-assessment and evidence, withdraw, answer measures; supervisors review, send
back, verify, record look-backs (回头看) that find rebounds (反弹); the public objects
during notices; the office and supervisors answer objections, the office ends notices,
files close-outs, issues and lifts measures by hand — and then the sweep runs for that
day. A seeded `random.Random` decides who does what, with a profile per task's unit
(steady, forgetful, absent, rebounding, dormant) so that every path of the loop is taken.

Checked every day: no task is lost; the bucket counts add up to the confirmed tasks, and
every task's bucket agrees with its state and due date; a closed task has no automatic
measure running. Checked every Tuesday (when missing reports and reminders are recorded)
and on every day the sweep ended a notice or scheduled a look-back: a second sweep of the
same day changes nothing. Checked at the end: every status change is an audit event
matching the simulation's own record, and every close-out step has its event; no measure
was issued twice for a cause, nor a weaker one after a stronger; every objection was
answered before its notice ended and before filing; missing-report records, report
streaks and look-back schedules agree with the tasks — and every path was taken.

Speed, what was chosen: the sweep runs every day (its statements are compiled once and
reused with each day's date, so a run costs a few milliseconds of Python). To keep the
people's part small, 24 of the 61 tasks have units that act; the other 37 units are
dormant, so their tasks meet only the sweep (missing reports, overdue, the escalation
ladder). The run takes about half a minute on SQLite, a minute and a half on PostgreSQL.
It commits as it goes, like the real thing: one test transaction around eighteen months
of work would keep every dead version of the task rows and slow PostgreSQL down.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection

from closeout.ledger import clock, services, sweep
from closeout.ledger.access import Actor
from closeout.ledger.demo import jinan, users
from closeout.ledger.demo import ledger as demo_ledger
from closeout.ledger.errors import Conflict
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    CloseoutStep,
    Escalation,
    EscalationRule,
    LookbackCheck,
    LookbackState,
    MissedReport,
    Notification,
    Objection,
    ProgressReport,
    Role,
    StepKind,
    SweepRun,
    Task,
    TaskUnit,
    Unit,
)
from closeout.ledger.rules import calendar
from closeout.ledger.rules.escalation import DEFAULT_RULES, RANK, Level, Trigger
from closeout.ledger.rules.schedule import COUNTED_STATES, Bucket
from closeout.ledger.rules.workflow import DONE_STATES, REPORTING_STATES, Status
from closeout.ledger.services.closeouts import STEP_OF_TRANSITION
from closeout.ledger.tests.factories import PDF, make_users

pytestmark = pytest.mark.django_db(transaction=True)

SEED = 20240701
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
        services.report_create(
            actor=self.unit[task.pk], task_id=task.pk, text="本周整改进展。", percent=percent
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
            if roll < 0.03:
                self.take(unit, task, "withdraw_request", note="补充材料后重新申请")
                self.back_to_work(task)
            elif roll < 0.08:
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


def load(monkeypatch: pytest.MonkeyPatch) -> Loop:
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
    rng = random.Random(SEED)
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


# --- the run -------------------------------------------------------------------------


@pytest.fixture
def _no_jit():
    """PostgreSQL compiles the sweep's long expressions just in time when their estimated
    cost is high, about 0.1 s a statement: pure overhead on 61 tasks, so off here."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")


@pytest.mark.usefixtures("_no_jit")
def test_eighteen_months_of_the_closed_loop(monkeypatch):
    loop = load(monkeypatch)
    ids = set(loop.unit)
    assert len(ids) == Task.objects.filter(status=Status.IN_PROGRESS).count() == 61
    first_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    repeated = 0
    day = START
    while day <= END:
        with clock.frozen_at(day):
            loop.act(day)
        statuses = dict(Task.objects.values_list("id", "status"))
        result = sweep.run(day)
        record_sweep_transitions(loop, statuses)
        check_day(day, result, ids)
        # A second run must find nothing left to do: every Tuesday (when the week's
        # missing reports and reminders are recorded) and on the days the sweep ended
        # a notice or scheduled a look-back.
        wrote = result.notices_ended + result.lookbacks_scheduled
        if wrote or day.weekday() == 1:
            check_second_sweep_changes_nothing(day)
            repeated += 1
        day += dt.timedelta(days=1)

    check_every_transition_audited(loop, first_event)
    check_no_measure_twice_for_a_cause()
    check_objections_answered_before_moving_on()
    check_records_agree_with_tasks()
    check_every_path_was_taken(loop)
    assert SweepRun.objects.count() == (END - START).days + 1 + repeated


def record_sweep_transitions(loop: Loop, before: dict[int, str]) -> None:
    """The sweep's own transitions: public notices it ended."""
    for task_id, status in Task.objects.values_list("id", "status"):
        if status != before[task_id]:
            assert (before[task_id], status) == (Status.NOTICE, Status.VERIFICATION)
            loop.history.setdefault(task_id, []).append((before[task_id], status, "end_notice"))
            loop.done["end_notice_by_sweep"] += 1


def check_day(day: dt.date, result: sweep.SweepResult, ids: set[int]) -> None:
    """No task lost; the buckets cover every confirmed task once and agree with states."""
    assert set(Task.objects.values_list("id", flat=True)) == ids, day
    counted = Task.objects.filter(status__in=COUNTED_STATES).count()
    assert set(result.buckets) == set(Bucket.values), day
    assert sum(result.buckets.values()) == result.tasks == counted == len(ids), day
    stored = Counter(Task.objects.values_list("state__bucket", flat=True))
    assert stored == +Counter(result.buckets), day
    rows = Task.objects.values_list(
        "status", "state__bucket", "due_date", "immediate", "start_date"
    )
    for status, bucket, due, immediate, start in rows:
        due = due or (start if immediate else None)
        if status == Status.CLOSED:
            assert bucket == Bucket.DONE, day
        elif status == Status.SUSTAINED:
            assert bucket == Bucket.SUSTAINED, day
        elif due is not None and due < day:
            assert bucket == Bucket.OVERDUE, day
        else:
            assert bucket in (Bucket.ON_SCHEDULE, Bucket.BEHIND), (day, status, bucket)
    # A closed task has no measure running but those the office lifts by hand.
    active = Escalation.objects.filter(lifted_on=None, manual=False, task__status=Status.CLOSED)
    assert not active.exists(), day


LOOP_TABLES = (
    AuditEvent,
    CloseoutStep,
    Escalation,
    LookbackCheck,
    MissedReport,
    Notification,
    Objection,
    ProgressReport,
)


def _state() -> tuple[Any, ...]:
    return (
        {model.__name__: model.objects.count() for model in LOOP_TABLES},
        Escalation.objects.filter(lifted_on__isnull=False).count(),
        LookbackCheck.objects.filter(notified_on__isnull=False).count(),
        MissedReport.objects.filter(report__isnull=False).count(),
        list(
            Task.objects.order_by("id").values_list(
                "status",
                "state__bucket",
                "state__missed_reports",
                "state__missed_since",
                "notice_until",
                "closed_on",
            )
        ),
    )


def check_second_sweep_changes_nothing(day: dt.date) -> None:
    before, runs = _state(), SweepRun.objects.count()
    again = sweep.run(day)
    assert again.changed == 0, (day, again.details())
    assert (again.escalations_issued, again.lookbacks_scheduled, again.notifications) == (0, 0, 0)
    assert _state() == before, day
    assert SweepRun.objects.count() == runs + 1  # the run itself is logged


def check_every_transition_audited(loop: Loop, since: int) -> None:
    """Every status change the simulation saw is one audit event, in the same order, and
    the events chain from 整改中 to each task's present state; every close-out step is
    written with its event."""
    events = AuditEvent.objects.filter(id__gt=since, action__startswith="task.").exclude(
        action__in=["task.create", "task.update"]
    )
    audited: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    by_step: dict[int, str] = {}
    for task_id, action, before, after in events.order_by("id").values_list(
        "task_id", "action", "before", "after"
    ):
        name = action.removeprefix("task.")
        audited[task_id].append((before["status"], after["status"], name))
        if name in STEP_OF_TRANSITION:
            assert after["step"] not in by_step
            by_step[after["step"]] = name
    assert dict(audited) == loop.history
    statuses = dict(Task.objects.values_list("id", "status"))
    for task_id, chain in audited.items():
        assert chain[0][0] == Status.IN_PROGRESS
        assert all(a[1] == b[0] for a, b in itertools.pairwise(chain)), task_id
        assert chain[-1][1] == statuses[task_id]
    steps = dict(CloseoutStep.objects.values_list("id", "kind"))
    assert {pk: STEP_OF_TRANSITION[name] for pk, name in by_step.items()} == steps
    assert sum(loop.done[name] for name in STEP_OF_TRANSITION) + loop.done[
        "end_notice_by_sweep"
    ] == len(steps)


def check_no_measure_twice_for_a_cause() -> None:
    """Never the same level twice for a cause, nor a weaker level after a stronger one."""
    measures = Escalation.objects.order_by("issued_on", "id").values_list(
        "task_id", "cause", "level", "rank"
    )
    seen: dict[tuple[int, str], list[tuple[str, int]]] = defaultdict(list)
    for task_id, cause, level, rank in measures:
        issued = seen[task_id, cause]
        assert level not in [lv for lv, _ in issued], (task_id, cause, level)
        assert all(rank > earlier for _, earlier in issued), (task_id, cause, level, issued)
        assert rank == RANK[Level(level)]
        issued.append((level, rank))


def check_objections_answered_before_moving_on() -> None:
    """Every objection lodged before a notice ended or a filing was answered before it."""
    objections = list(Objection.objects.values_list("task_id", "lodged_at", "answered_at"))
    gates = CloseoutStep.objects.filter(kind__in=[StepKind.NOTICE_END, StepKind.FILE])
    for task_id, at in gates.values_list("task_id", "at"):
        for objection_task, lodged, answered in objections:
            if objection_task == task_id and lodged <= at:
                assert answered is not None and answered <= at, (task_id, lodged, at)


def check_records_agree_with_tasks() -> None:
    """What the records say at the end agrees with the tasks they belong to."""
    # A missing report that the unit made good later is marked filled.
    reported = set(ProgressReport.objects.values_list("task_id", "period_start"))
    unfilled = set(MissedReport.objects.filter(report=None).values_list("task_id", "period_start"))
    assert not reported & unfilled
    # The run of missed reports is the unfilled periods after the last period reported.
    for task in Task.objects.filter(status__in=REPORTING_STATES).select_related("state"):
        run = [
            start
            for task_id, start in unfilled
            if task_id == task.pk
            and (task.last_report_period is None or start > task.last_report_period)
        ]
        assert (task.state.missed_reports, task.state.missed_since) == (
            len(run),
            min(run, default=None),
        )
    # Every closing has its look-backs (3 and 12 months); a check still waiting belongs
    # to the task's present closing.
    for task in Task.objects.filter(status__in=DONE_STATES):
        months = LookbackCheck.objects.filter(task=task, closed_on=task.closed_on)
        assert sorted(months.values_list("months", flat=True)) == [3, 12], task.pk
    waiting = LookbackCheck.objects.filter(state=LookbackState.SCHEDULED).select_related("task")
    for check in waiting:
        assert check.task.status in DONE_STATES and check.task.closed_on == check.closed_on


def check_every_path_was_taken(loop: Loop) -> None:
    """The simulation exercised what it claims to (else its checks prove little)."""
    done = loop.done
    for name in (*STEP_OF_TRANSITION, "end_notice_by_office", "end_notice_by_sweep"):
        assert done[name] > 0, name
    assert done["objection"] >= 5 and done["objection_answered_after_notice"] > 0
    assert done["late_report"] > 0 and MissedReport.objects.filter(report__isnull=False).exists()
    assert done["lookback_stable"] > 0 and done["lookback_rebound"] >= 2
    assert done["measure_responded"] > 0 and done["manual_measure"] > 0
    statuses = Counter(Task.objects.values_list("status", flat=True))
    assert statuses[Status.CLOSED] > 0 and statuses[Status.SUSTAINED] > 0
    assert Task.objects.filter(rebounds__gte=2).exists()
    triggers = set(Escalation.objects.values_list("trigger", flat=True))
    assert triggers == set(Trigger.values), triggers
    assert Escalation.objects.filter(lifted_on__isnull=False, manual=False).exists()
    months = set(LookbackCheck.objects.exclude(checked_on=None).values_list("months", flat=True))
    assert months == {3, 12}  # the twelve-month look-backs came due as well
