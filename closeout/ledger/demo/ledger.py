"""The Jinan 2018 ledger: the plan, its problems and tasks, and a year of work on them.

Everything is written through the services, as the people concerned would have done it,
with the clock set to the day they did it: the office confirms the tasks, units report
progress every half year, and a few tasks go through close-out (销号) — one is sent back
on verification, one is reopened after a look-back (回头看) finds a rebound, and a few
are left half-way so every role has something to do when the demo starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from closeout.ledger import clock, services
from closeout.ledger.access import Actor
from closeout.ledger.demo import plan as source
from closeout.ledger.demo.jinan import ENV_BUREAU, RECTIFICATION_OFFICE, Registry, government
from closeout.ledger.models import (
    AssignmentRole,
    InspectionKind,
    Plan,
    PlanStatus,
    ReportCycle,
    Task,
    UnitKind,
    UnitLevel,
)
from closeout.ledger.services import PersonRef, UnitRef
from closeout.ledger.workflow import REPORTING_STATES

POST = "主要负责人"
DISTRICT = government("历城区")  # the district whose government has a demo user

# The inspection the plan answers. The seed names it only as "中央环境保护督察组督察反馈
# 意见" answered through the province's plan (鲁发〔2018〕23号); it gives no dates. The
# feedback date is the one in the project brief (the first round's fourth batch reported
# back to Shandong at the end of December 2017); the stationing dates are left unknown.
INSPECTION_NAME = "第一轮中央环境保护督察(山东省,2017年)"
INSPECTION_TEAM = "中央环境保护督察组"
INSPECTION_FEEDBACK_ON = dt.date(2017, 12, 29)

# Tasks that name particular districts are supervised (督导) by a municipal department
# that is not itself responsible for them, chosen by subject; the rest by the office
# that runs the rectification, or — for its own tasks — by the discipline commission.
DISTRICT_SUPERVISORS = {
    "济阳县、长清区党委、政府": "市卫生计生委",  # hazardous and medical waste disposal
    "章丘区、平阴县党委、政府": "市农业局",  # drinking-water sources in farming areas
    "历城区、长清区、平阴县党委、政府": "市规划局",  # nature reserve boundaries (四至)
}
OWN_TASK_SUPERVISOR = "市纪委监委"

# Half-yearly progress rounds (调度): date, text, percent.
ROUNDS = (
    (
        dt.date(2018, 7, 27),
        "已召开专题会议研究部署,制定整改工作方案,明确责任分工和时间节点,整改工作全面启动。",
        20,
    ),
    (
        dt.date(2018, 12, 28),
        "按照整改方案倒排工期推进,主要整改措施已落实,阶段性目标基本完成,正在组织自查。",
        60,
    ),
    (
        dt.date(2019, 6, 28),
        "整改措施全部落实,已建立长效管理机制,持续巩固整改成果,防止问题反弹。",
        90,
    ),
)

# Close-out walks: the start of the task's text, then (date, step, who, note or report).
# "lead" is the demo unit user when 市生态环境局 is responsible, else the office on the
# unit's behalf; "supervisor" and "office" are the demo users of those roles.
Step = tuple[dt.date, str, str, str]
WALKS: tuple[tuple[str, tuple[Step, ...]], ...] = (
    (
        "进一步加强环境信用体系建设",
        (
            (
                dt.date(2018, 8, 24),
                "report",
                "lead",
                "企业环境信用评价及管理办法已修订印发,评价结果纳入全市公共信用信息平台。",
            ),
            (dt.date(2018, 8, 27), "request_closeout", "lead", ""),
            (dt.date(2018, 8, 31), "pass_review", "supervisor", "初审通过,佐证材料齐全。"),
            (dt.date(2018, 9, 7), "end_notice", "office", "公示期满,未收到异议。"),
            (dt.date(2018, 9, 12), "verify", "supervisor", "现场核查属实。"),
            (dt.date(2018, 9, 14), "file", "office", "准予销号,予以备案。"),
        ),
    ),
    (
        "全面完成矿山地质环境调查",
        (
            (
                dt.date(2018, 8, 29),
                "report",
                "lead",
                "矿山地质环境调查全面完成,《济南市矿山地质环境保护与治理规划》已编制完成并报批。",
            ),
            (dt.date(2018, 8, 30), "request_closeout", "lead", ""),
            (dt.date(2018, 9, 5), "pass_review", "supervisor", "初审通过。"),
            (dt.date(2018, 9, 12), "end_notice", "office", "公示期满,未收到异议。"),
            (dt.date(2018, 9, 20), "verify", "supervisor", "核查属实。"),
            (dt.date(2018, 9, 25), "file", "office", "准予销号,予以备案。"),
        ),
    ),
    (
        "严厉打击工矿企业非法向土壤环境转移污染物",
        (
            (
                dt.date(2018, 11, 12),
                "report",
                "lead",
                "建立工矿企业土壤污染防治重点监管名录,开展专项执法检查,形成常态化打击机制。",
            ),
            (dt.date(2018, 11, 15), "request_closeout", "lead", ""),
            (dt.date(2018, 11, 20), "pass_review", "supervisor", "初审通过。"),
            (dt.date(2018, 11, 27), "end_notice", "office", "公示期满,未收到异议。"),
            (dt.date(2018, 12, 3), "verify", "supervisor", "核查属实,需长期坚持。"),
            (dt.date(2018, 12, 7), "file", "office", "已完成,长期坚持,纳入回头看。"),
        ),
    ),
    (
        "建设土壤环境质量监测网络",
        (
            (
                dt.date(2018, 12, 18),
                "report",
                "lead",
                "土壤环境质量监测网络已建成,信息化管理平台已上线运行。",
            ),
            (dt.date(2018, 12, 20), "request_closeout", "lead", ""),
            (dt.date(2018, 12, 26), "pass_review", "supervisor", "初审通过。"),
            (dt.date(2019, 1, 3), "end_notice", "office", "公示期满,未收到异议。"),
            (
                dt.date(2019, 1, 8),
                "send_back",
                "supervisor",
                "现场核查发现市土壤环境信息化管理平台尚未与省平台完成数据对接,退回继续整改。",
            ),
        ),
    ),
    (
        "开展违法项目专项整治",
        (
            (
                dt.date(2019, 3, 12),
                "report",
                "lead",
                "饮用水水源保护区内违法建设项目已全部拆除或关停,完成生态恢复。",
            ),
            (dt.date(2019, 3, 15), "request_closeout", "lead", ""),
            (dt.date(2019, 3, 20), "pass_review", "supervisor", "初审通过。"),
            (dt.date(2019, 3, 27), "end_notice", "office", "公示期满,未收到异议。"),
            (dt.date(2019, 4, 2), "verify", "supervisor", "现场核查属实。"),
            (dt.date(2019, 4, 8), "file", "office", "准予销号,予以备案。"),
            (
                dt.date(2019, 8, 20),
                "reopen",
                "supervisor",
                "回头看发现水源保护区内一处已拆除的违法建筑出现复建,问题反弹,重新整改。",
            ),
        ),
    ),
    (
        "落实《山东省土壤污染治理与修复规划",
        (
            (
                dt.date(2019, 5, 30),
                "report",
                "lead",
                "土壤污染治理与修复试点项目已完成并通过评估。",
            ),
            (dt.date(2019, 6, 5), "request_closeout", "lead", ""),
            (dt.date(2019, 6, 12), "pass_review", "supervisor", "初审通过。"),
            (dt.date(2019, 6, 19), "end_notice", "office", "公示期满,未收到异议。"),
        ),
    ),
    (
        "强化生活污水防治",
        (
            (
                dt.date(2019, 6, 5),
                "report",
                "lead",
                "建成区黑臭水体已全部完成整治并销号,城中村雨污分流管网改造完成。",
            ),
            (dt.date(2019, 6, 10), "request_closeout", "lead", ""),
            (dt.date(2019, 6, 14), "pass_review", "supervisor", "初审通过。"),
        ),
    ),
    (
        "因地制宜推进城乡清洁采暖工程",
        (
            (dt.date(2019, 6, 18), "report", "lead", "城区清洁取暖率已达到90%以上。"),
            (dt.date(2019, 6, 20), "request_closeout", "lead", ""),
        ),
    ),
)


@dataclass
class Loaded:
    tasks: list[Task]
    responsible: dict[int, set[str]]  # task id → names of its responsible units


def _assignments(
    task: source.TaskSource, registry: Registry
) -> tuple[list[UnitRef], list[PersonRef], set[str]]:
    """Units and persons of a task.

    By the customary reading of such lists, the first unit named is the lead (牵头) and
    the other municipal units named after it cooperate (配合); districts and group
    members answer for their own share, so they lead. The plan's 责任人 always mirrors
    its 责任单位 with "主要负责人", so the persons are derived from the same entries.
    """
    refs: dict[int, UnitRef] = {}
    persons: list[PersonRef] = []
    names: set[str] = set()

    def add(unit_name: str, role: str, via: int | None = None) -> None:
        unit = registry.unit(unit_name)
        names.add(unit.name)
        old = refs.get(unit.pk)
        if old is None or (old.role == AssignmentRole.COOP and role == AssignmentRole.LEAD):
            refs[unit.pk] = UnitRef(unit, role, via)

    for index, token in enumerate(task.units):
        if token.group is not None:
            group = registry.groups[token.group]
            for member in registry.group_members(token.group):
                add(member.name, AssignmentRole.LEAD, group.pk)
            persons.append(PersonRef(f"{token.text}{POST}", post=POST))
            continue
        for name in token.names:
            unit = registry.unit(name)
            local = unit.level != UnitLevel.CITY or unit.kind == UnitKind.REGION
            add(name, AssignmentRole.LEAD if index == 0 or local else AssignmentRole.COOP)
            persons.append(PersonRef(f"{name}{POST}", unit=unit, post=POST))

    supervisor = RECTIFICATION_OFFICE
    if RECTIFICATION_OFFICE in names:
        supervisor = OWN_TASK_SUPERVISOR
    else:
        for token in task.units:
            if token.text in source.DISTRIBUTIVE_PHRASES and token.text in DISTRICT_SUPERVISORS:
                supervisor = DISTRICT_SUPERVISORS[token.text]
                break
    if supervisor in names:
        raise ValueError(f"task {task.seq}: {supervisor} cannot supervise its own task")
    units = [*refs.values(), UnitRef(registry.unit(supervisor), AssignmentRole.SUPERVISING)]
    return units, persons, names


def create_plan(office: Actor, registry: Registry) -> tuple[Plan, Loaded]:
    """The inspection, the plan with its verbatim source, its problems and draft tasks."""
    raw = source.source_bytes()
    text = raw.decode("utf-8")
    inspection = services.inspection_create(
        actor=office,
        name=INSPECTION_NAME,
        kind=InspectionKind.CENTRAL,
        round=1,
        team=INSPECTION_TEAM,
        feedback_on=INSPECTION_FEEDBACK_ON,
    )
    plan = services.plan_create(
        actor=office,
        title=source.TITLE,
        issuer=source.ISSUER,
        issued_on=source.ISSUED_ON,
        status=PlanStatus.CONFIRMED,
        source_name=source.SOURCE_NAME,
        source_text=text,
        content_hash=source.content_hash(),
        published=True,
        report_cycle=ReportCycle.WEEKLY,  # "每周调度一次全市整改工作进展情况"
    )
    services.plan_add_inspection(actor=office, plan=plan, inspection=inspection)
    loaded = Loaded(tasks=[], responsible={})
    for problem_src in source.read_plan(text):
        problem = services.problem_create(
            actor=office,
            plan=plan,
            seq=problem_src.seq,
            title=problem_src.title,
            number=problem_src.number,
            outline_path=list(problem_src.outline_path),
            category=problem_src.category,
            inspection=inspection,
            span_start=problem_src.span_start,
            span_end=problem_src.span_end,
        )
        for task_src in problem_src.tasks:
            due, immediate, ongoing = source.DEADLINES[task_src.deadline_raw]
            units, persons, names = _assignments(task_src, registry)
            if task_src.text not in text[task_src.span_start : task_src.span_end]:
                raise ValueError(f"task {task_src.seq}: its span does not hold its text")
            task = services.task_create(
                actor=office,
                problem=problem,
                seq=task_src.seq,
                text=task_src.text,
                units=units,
                persons=persons,
                measures=[s + "。" for s in task_src.text.split("。") if s.strip()],
                category=problem_src.category,
                deadline_raw=task_src.deadline_raw,
                due_date=due,
                immediate=immediate,
                ongoing=ongoing,
                span_start=task_src.span_start,
                span_end=task_src.span_end,
            )
            loaded.tasks.append(task)
            loaded.responsible[task.pk] = names
    return plan, loaded


def bring_to_life(loaded: Loaded, actors: dict[str, Actor]) -> None:
    """Replay a year of work in date order: confirm, report, close out, send back, reopen."""
    office = actors["office"]
    events: list[tuple[dt.date, int, Callable[[], Any]]] = []

    def at(day: dt.date, action: Callable[[], Any]) -> None:
        events.append((day, len(events), action))

    for task in loaded.tasks:
        at(dt.date(2018, 7, 2), _confirm(office, task))
    for day, text, percent in ROUNDS:
        at(day, _round(loaded, actors, text, percent, late_round=day.year == 2019))
    for prefix, steps in WALKS:
        task = next(t for t in loaded.tasks if t.text.startswith(prefix))
        for day, step, who, note in steps:
            actor = _who(who, task, loaded, actors)
            at(day, _step(actor, task, step, note))
    for day, _, action in sorted(events, key=lambda e: (e[0], e[1])):
        with clock.frozen_at(day):
            action()


def _who(who: str, task: Task, loaded: Loaded, actors: dict[str, Actor]) -> Actor:
    if who == "lead":
        return actors["unit"] if ENV_BUREAU in loaded.responsible[task.pk] else actors["office"]
    return actors[who]


def _confirm(office: Actor, task: Task) -> Callable[[], Any]:
    return lambda: services.task_transition(actor=office, task_id=task.pk, name="confirm")


def _step(actor: Actor, task: Task, step: str, note: str) -> Callable[[], Any]:
    if step == "report":
        return lambda: services.report_create(actor=actor, task_id=task.pk, text=note, percent=100)
    return lambda: services.task_transition(actor=actor, task_id=task.pk, name=step, note=note)


def _round(
    loaded: Loaded, actors: dict[str, Actor], text: str, percent: int, *, late_round: bool
) -> Callable[[], None]:
    """One progress round. Most tasks report; a few never do (missing reports are a
    finding in their own right) and a few more miss the last round."""

    def run() -> None:
        for task in loaded.tasks:
            if task.seq % 6 == 0 or (late_round and task.seq % 4 == 0):
                continue
            current = Task.objects.only("status", "progress").get(pk=task.pk)
            if current.status not in REPORTING_STATES:
                continue
            names = loaded.responsible[task.pk]
            if ENV_BUREAU in names:
                actor, prefix = actors["unit"], ""
            elif DISTRICT in names:
                actor, prefix = actors["district"], "历城区:"
            else:
                actor, prefix = actors["office"], ""
            services.report_create(
                actor=actor,
                task_id=task.pk,
                text=prefix + text,
                # Progress never goes backwards in a report after a task was finished.
                percent=percent if current.progress < percent else None,
            )

    return run
