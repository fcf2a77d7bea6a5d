"""Inspections, plans, problems and tasks with their units, persons, milestones and
progress history, streamed in batches."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Iterator

from closeout.ledger.models import AssignmentRole, PersonRole, ProblemSource
from closeout.ledger.models.tasks import DEFAULT_ACCEPTANCE_CRITERIA
from closeout.ledger.rules.workflow import Status
from closeout.ledger.synth.base import AS_OF, UTC, Region, Rows
from closeout.ledger.synth.history import History
from closeout.ledger.synth.province import ProvinceBuilder
from closeout.ledger.synth.vocab import (
    CATEGORY_WEIGHTS,
    GIVEN,
    INSPECTIONS,
    OPENERS,
    POSTS,
    REPORTS,
    RIVERS,
    SOURCES,
    STATUS_WEIGHTS_OPEN,
    STATUS_WEIGHTS_PAST_DUE,
    SURNAMES,
    VOCAB,
    _choices,
)

# Weekly reporting in the last weeks before AS_OF (most units report most weeks).
RECENT_WEEKS = 8
WEEKLY_REPORT_RATE = 0.85
WEEKLY_NOTES = (
    "本周按计划推进整改,无新增问题。",
    "本周完成现场巡查,整改措施正在落实。",
    "本周召开调度会,督促相关单位加快进度。",
    "本周整改进展正常,佐证材料已上传。",
)
REPORTING = frozenset({Status.IN_PROGRESS, Status.REQUESTED, Status.SUSTAINED})


class Generator(ProvinceBuilder):
    """Yields the rows of a synthetic ledger in batches of about `config.batch` tasks."""

    def batches(self) -> Iterator[Rows]:
        """1. the unit tree, groups, inspections and plans; 2. problems and their tasks,
        `config.batch` tasks at a time; 3. the weekly snapshots of the weeks before
        AS_OF, derived from the tasks (`closeout.ledger.synth.history`)."""
        self.history = History(AS_OF, self.config.history_weeks, RECENT_WEEKS)
        self._province()
        self._inspections_and_plans()
        yield self._flush()
        done = 0
        problem_seq: dict[int, int] = {}
        task_seq: dict[int, int] = {}
        while done < self.config.tasks:
            plan = self.rng.choices(self.plans, self.plan_weights)[0]
            n = self._problem(plan, problem_seq, task_seq, self.config.tasks - done)
            done += n
            if len(self.rows["task"]) >= self.config.batch:
                yield self._flush()
        yield self._flush()
        history = self.history.rows(self._id)
        for table, rows in history.items():
            self.counts[table] += len(rows)
        yield history

    # -------------------------------------------------------------- the province

    def _inspections_and_plans(self) -> None:
        rng, run = self.rng, self.config.run_label
        self.inspections: list[tuple[int, dt.date]] = []
        for kind, rnd, name, feedback in INSPECTIONS:
            iid = self.existing_inspections.get(name)
            if iid is None:
                iid = self._id("inspection")
                self._emit(
                    "inspection",
                    (
                        iid,
                        kind,
                        rnd,
                        name,
                        f"{name}组",
                        self.province.node.id,
                        feedback - dt.timedelta(days=40),
                        feedback - dt.timedelta(days=10),
                        feedback,
                        f"{name}反馈意见指出,山东省生态环境保护工作仍存在薄弱环节。",
                    ),
                )
            self.inspections.append((iid, feedback))
        self.plans: list[tuple[int, Region, dt.date, list[tuple[int, dt.date]]]] = []
        self.plan_weights: list[float] = []
        regions = [self.province, *self.province.districts]
        for region in regions:
            for version in range(1 if region is self.province else rng.randint(1, 2)):
                answered = sorted(
                    rng.sample(self.inspections, rng.randint(1, 3)), key=lambda i: i[1]
                )
                issued = answered[-1][1] + dt.timedelta(days=rng.randint(60, 150))
                pid = self._id("plan")
                issuer = f"{region.name}人民政府"
                title = (
                    f"{region.name}贯彻落实{INSPECTIONS[0][2] if len(answered) > 1 else ''}"
                    f"反馈意见整改方案{'(第二批)' if version else ''}{run}"
                )
                created = dt.datetime.combine(issued, dt.time(9), UTC)
                self._emit(
                    "plan",
                    (
                        pid,
                        title,
                        issuer,
                        issued,
                        "confirmed",
                        1,
                        None,
                        f"{title}.docx",
                        "",
                        "",
                        "",
                        rng.random() < 0.7,
                        "weekly",
                        None,
                        created,
                        None,
                    ),
                )
                for iid, _feedback in answered:
                    self._emit("plan_inspections", (self._id("plan_inspections"), pid, iid))
                self.plans.append((pid, region, issued, answered))
                # The province plan is smaller; cities weigh by their number of districts.
                self.plan_weights.append(3 if region is self.province else len(region.districts))

    # -------------------------------------------------------------- problems and tasks

    def _problem(
        self,
        plan: tuple[int, Region, dt.date, list[tuple[int, dt.date]]],
        problem_seq: dict[int, int],
        task_seq: dict[int, int],
        left: int,
    ) -> int:
        rng = self.rng
        pid, region, issued, answered = plan
        category = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
        issues, objects, _measures, goals = VOCAB[category]
        source = rng.choices(*_choices(SOURCES))[0]
        seq = problem_seq[pid] = problem_seq.get(pid, 0) + 1
        district = rng.choice(region.districts) if rng.random() < 0.7 else None
        place = (district or region).name
        river = rng.choice(RIVERS)
        issue = rng.choice(issues).format(river=river)
        title = (
            f"{place}{issue}"
            if source != ProblemSource.COMPLAINT
            else (f"群众举报{place}{rng.choice(objects).format(river=river)}相关问题")
        )
        prob_id = self._id("problem")
        inspection_id = rng.choice(answered)[0]
        self._emit(
            "problem",
            (
                prob_id,
                pid,
                inspection_id,
                seq,
                f"{seq}" if source != "complaint" else f"X{seq:05d}",
                title,
                f"督察发现,{title}。{rng.choice(goals)}的要求尚未落实。",
                json.dumps(["一、突出环境问题", f"({seq % 10 + 1}){issue}"], ensure_ascii=False),
                category,
                source,
                None,
                None,
            ),
        )
        if district is not None:
            self._emit("problem_regions", (self._id("problem_regions"), prob_id, district.node.id))
        n = 1 if source == ProblemSource.COMPLAINT else rng.choice((1, 2, 3, 3, 4, 5, 6))
        n = min(n, left)
        for _ in range(n):
            tseq = task_seq[pid] = task_seq.get(pid, 0) + 1
            self._task(pid, prob_id, inspection_id, tseq, category, region, district, issued, river)
        return n

    def _deadline(self, year: int) -> tuple[str, dt.date | None, bool, bool]:
        rng = self.rng
        y = year + rng.choice((0, 0, 1, 1, 2, 3))
        m = rng.randint(1, 12)
        last = calendar.monthrange(y, m)[1]
        kind = rng.choices(
            (
                "date",
                "year_end",
                "month",
                "month_end",
                "immediate",
                "immediate_ongoing",
                "ongoing",
                "date_ongoing",
                "staged",
            ),
            (20, 18, 10, 10, 8, 8, 8, 12, 6),
        )[0]
        if kind == "date":
            d = rng.randint(1, last)
            return f"{y}年{m}月{d}日", dt.date(y, m, d), False, False
        if kind == "year_end":
            return (
                rng.choice((f"{y}年年底", f"{y}年底前", f"{y}年12月底前")),
                dt.date(y, 12, 31),
                False,
                False,
            )
        if kind == "month":
            return f"{y}年{m}月", dt.date(y, m, last), False, False
        if kind == "month_end":
            return f"{y}年{m}月底", dt.date(y, m, last), False, False
        if kind == "immediate":
            return rng.choice(("立行立改", "立即整改")), None, True, False
        if kind == "immediate_ongoing":
            return rng.choice(("立行立改,长期坚持", "立即整改,长期坚持")), None, True, True
        if kind == "ongoing":
            return rng.choice(("长期坚持", "持续推进")), None, False, True
        if kind == "date_ongoing":
            return (
                rng.choice(
                    (
                        f"{y}年12月31日(长期坚持、防止反弹)",
                        f"{y}年12月31日,并长期坚持",
                        f"{y}年底前完成,长期坚持",
                    )
                ),
                dt.date(y, 12, 31),
                False,
                True,
            )
        return (
            f"{y}年6月底前完成阶段性任务,{y + 1}年底前全面完成",
            dt.date(y + 1, 12, 31),
            False,
            False,
        )

    def _task(
        self,
        plan_id: int,
        problem_id: int,
        inspection_id: int,
        seq: int,
        category: str,
        region: Region,
        district: Region | None,
        issued: dt.date,
        river: str,
    ) -> None:
        rng = self.rng
        _, objects, measures, goals = VOCAB[category]
        raw, due, immediate, ongoing = self._deadline(issued.year)
        obj = rng.choice(objects).format(river=river)
        place = (district or region).name
        chosen = rng.sample(measures, min(len(measures), rng.randint(2, 4)))
        goal = rng.choice(goals)
        text = f"{rng.choice(OPENERS)}{place}{obj},{chosen[0]},确保{goal}。"
        target = f"{raw}前完成{obj}," + goal if due else f"{obj}取得实效,{goal}"
        # The close-out mix depends on whether the deadline has passed.
        past = due is None or due < AS_OF
        status = rng.choices(*_choices(STATUS_WEIGHTS_PAST_DUE if past else STATUS_WEIGHTS_OPEN))[0]
        if status == "done":
            status = Status.SUSTAINED if ongoing else Status.CLOSED
        end = min(due or AS_OF, AS_OF)
        span = max((end - issued).days, 7)
        if status in (Status.CLOSED, Status.SUSTAINED):
            progress = 100
            closed_on: dt.date | None = min(
                issued + dt.timedelta(days=rng.randint(span // 2, span)), AS_OF
            )
        elif status == Status.DRAFT:
            progress, closed_on = 0, None
        elif status in (Status.IN_PROGRESS, Status.CANCELLED):
            progress, closed_on = rng.randrange(0, 100, 5), None
        else:
            progress, closed_on = rng.randrange(90, 101, 5), None
        task_id = self._id("task")
        # Units: leads and cooperating units from the region that owns the task.
        bodies = district.bodies if district else region.bodies
        leads = rng.sample(bodies, rng.choices((1, 2, 3), (60, 30, 10))[0])
        coop_pool = [
            u
            for u in (region.departments + (district.departments if district else []))
            if u not in leads
        ]
        coops = rng.sample(coop_pool, rng.choice((0, 0, 1, 1, 2, 3)))
        for u in leads:
            self._emit(
                "taskunit",
                (self._id("taskunit"), task_id, u.id, AssignmentRole.LEAD, status, None),
            )
            self._emit(
                "taskperson",
                (
                    self._id("taskperson"),
                    task_id,
                    PersonRole.RESPONSIBLE,
                    f"{u.name}主要负责人",
                    u.id,
                    "主要负责人",
                    "",
                ),
            )
        group = self.member_group.get(region.node.id)
        for u in coops:
            via = group if group and rng.random() < 0.2 else None
            self._emit(
                "taskunit",
                (self._id("taskunit"), task_id, u.id, AssignmentRole.COOP, status, via),
            )
        sup = rng.choice(region.supervisors)
        self._emit(
            "taskunit",
            (self._id("taskunit"), task_id, sup.id, AssignmentRole.SUPERVISING, status, None),
        )
        if rng.random() < 0.5:
            post = rng.choice(POSTS)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))
            self._emit(
                "taskperson",
                (
                    self._id("taskperson"),
                    task_id,
                    PersonRole.SUPERVISING_LEADER,
                    f"{post}{name}",
                    None,
                    post,
                    name,
                ),
            )
        # Milestones (倒排进度) for a share of dated tasks.
        if due is not None and rng.random() < 0.3 and (due - issued).days > 60:
            step = (due - issued).days // 3
            for i in (1, 2):
                mdue = issued + dt.timedelta(days=step * i)
                self._emit(
                    "milestone",
                    (
                        self._id("milestone"),
                        task_id,
                        i,
                        f"完成{chosen[min(i, len(chosen) - 1)]}",
                        mdue,
                        33 * i,
                        mdue if mdue < AS_OF and progress >= 33 * i else None,
                    ),
                )
        # Progress history: ~reports_per_task reports, rising towards the current progress.
        last_at = None
        last_period = None
        reported: set[dt.date] = set()
        if status not in (Status.DRAFT,):
            k = rng.randint(0, max(0, round(2 * self.config.reports_per_task)))
            report_end = closed_on or AS_OF
            days = sorted(rng.randint(0, max((report_end - issued).days, 1)) for _ in range(k))
            for i, day in enumerate(days, start=1):
                when = dt.datetime.combine(
                    issued + dt.timedelta(days=day),
                    dt.time(rng.randint(0, 9), rng.randint(0, 59)),
                    UTC,
                )
                # Reports are for the week (Monday to Sunday) they were filed in.
                monday = when.date() - dt.timedelta(days=when.date().weekday())
                pct = progress * i // k
                phrase = rng.choice(REPORTS).format(
                    measure=rng.choice(chosen),
                    pct=pct,
                    n=(n := rng.randint(5, 80)),
                    m=n * pct // 100,
                )
                self._emit(
                    "progressreport",
                    (
                        self._id("progressreport"),
                        task_id,
                        leads[0].id,
                        None,
                        monday,
                        monday + dt.timedelta(days=6),
                        when,
                        phrase,
                        pct,
                        None,
                        rng.random() < 0.1,
                        "",  # progress only rises: no reason to give
                        "unit",  # ReportSource.UNIT: filed by the lead unit
                    ),
                )
                last_at = when
                last_period = monday
                reported.add(monday)
        # The weekly rounds (调度) of the last weeks: units in charge of open tasks report
        # most weeks, on Friday; some forget, a few report on the Tuesday after.
        if status in REPORTING:
            this_monday = AS_OF - dt.timedelta(days=AS_OF.weekday())
            for weeks_back in range(RECENT_WEEKS, 0, -1):
                monday = this_monday - dt.timedelta(weeks=weeks_back)
                if monday < issued or (last_period is not None and monday <= last_period):
                    continue
                if rng.random() >= WEEKLY_REPORT_RATE:
                    continue
                filed = monday + dt.timedelta(days=4 if rng.random() >= 0.05 else 8)
                when = dt.datetime.combine(filed, dt.time(rng.randint(8, 17), 0), UTC)
                self._emit(
                    "progressreport",
                    (
                        self._id("progressreport"),
                        task_id,
                        leads[0].id,
                        None,
                        monday,
                        monday + dt.timedelta(days=6),
                        when,
                        rng.choice(WEEKLY_NOTES),
                        None,
                        None,
                        filed > monday + dt.timedelta(days=7),
                        "",
                        "unit",
                    ),
                )
                last_at, last_period = when, monday
                reported.add(monday)
        created = dt.datetime.combine(issued, dt.time(9), UTC)
        updated = last_at or created
        if closed_on is not None:
            updated = max(updated, dt.datetime.combine(closed_on, dt.time(10), UTC))
        self._emit(
            "task",
            (
                task_id,
                plan_id,
                problem_id,
                inspection_id,
                seq,
                text,
                target,
                json.dumps(chosen, ensure_ascii=False),
                category,
                raw,
                due,
                immediate,
                ongoing,
                issued,
                DEFAULT_ACCEPTANCE_CRITERIA,
                progress,
                last_at,
                closed_on,
                "[]",
                None,
                None,
                "{}",
                created,
                updated,
                status,
                last_period,
                0,
                int(status not in (Status.DRAFT, Status.IN_PROGRESS, Status.CANCELLED)),
                None,
            ),
        )
        # Bucket and run of missed reports: the first sweep computes them.
        self._emit("taskstate", (task_id, "", 0, None))
        self.history.add(
            plan=plan_id, category=category, leads=[u.id for u in leads], status=status,
            start=issued, due=due, closed_on=closed_on, progress=progress, now=AS_OF,
            reported=reported,
        )  # fmt: skip
