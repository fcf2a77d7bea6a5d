"""The demo's plans: the seed plans imported, the Jinan 2018 plan reviewed and confirmed,
and a year of work on it.

Everything goes through the import path and the services, as the people concerned would
have done it, with the clock set to the day they did it:

1. the office imports every seed plan (`services.plan_import`, as `closeout import` and
   the upload page do); the plans of other cities stay drafts awaiting its review;
2. it reviews the Jinan plan: decides any unit name left open against the Jinan registry
   (by exact name only), records the inspection the plan answers, gives every task a
   supervising unit (督导单位; the plan names none), confirms it (`services.plan_confirm`,
   确认入账) and publishes it;
3. units report progress every half year, and a few tasks go through close-out (销号) —
   one is sent back on verification, one is reopened after a look-back (回头看) finds a
   rebound, and a few are left half-way so every role has something to do.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from closeout import samples
from closeout.ledger import clock, services, sweep
from closeout.ledger.access import RESPONSIBLE_ROLES, Actor
from closeout.ledger.demo.jinan import (
    CITY,
    COUNTIES,
    DISTRICTS,
    ENV_BUREAU,
    RECTIFICATION_OFFICE,
    Registry,
    government,
)
from closeout.ledger.models import (
    AssignmentRole,
    InspectionKind,
    Plan,
    Task,
    TaskUnit,
    UnitProposal,
)
from closeout.ledger.rules.workflow import REPORTING_STATES

# The seed plans, kept verbatim in closeout/samples/plans/ (see closeout.samples).
JINAN_PLAN = "003_jinan_2018.txt"
OTHER_PLANS = (
    "000_guangzhou_2020.txt",  # 广州: 中央环保督察"回头看"及固废专项督察反馈意见整改方案 (2020)
    "001_huzhou_2023.txt",  # 湖州市贯彻落实2022年省委生态环境保护专项督察反馈意见整改方案 (2023)
    "002_guangzhou_2021.txt",  # 2021年广州市生态环境工作要点
    "004_compilation.txt",  # 生态环境保护工作方案 — a compilation of 22 plans (篇一…篇二十二)
)
# The office imports the Jinan plan the day it is issued, reviews and confirms it on the
# next working day; the other plans arrive after the newest of them was published.
JINAN_IMPORTED_ON = dt.date(2018, 6, 29)
JINAN_CONFIRMED_ON = dt.date(2018, 7, 2)
OTHERS_IMPORTED_ON = dt.date(2023, 7, 3)

DISTRICT = government("历城区")  # the district whose government has a demo user

# The inspection the plan answers. The seed names it only as "中央环境保护督察组督察反馈
# 意见" answered through the province's plan (鲁发〔2018〕23号); it gives no dates. The
# feedback date is the one in the project brief (the first round's fourth batch reported
# back to Shandong at the end of December 2017); the stationing dates are left unknown.
INSPECTION_NAME = "第一轮中央环境保护督察(山东省,2017年)"
INSPECTION_TEAM = "中央环境保护督察组"
INSPECTION_FEEDBACK_ON = dt.date(2017, 12, 29)

# The plan names no supervising units; the office assigns them. Tasks that name particular
# districts are supervised (督导) by a municipal department that is not itself responsible
# for them, chosen by subject; the rest by the office that runs the rectification, or —
# for its own tasks — by the discipline commission.
DISTRICT_SUPERVISORS = {
    frozenset({"济阳县", "长清区"}): "市卫生计生委",  # hazardous and medical waste disposal
    frozenset({"章丘区", "平阴县"}): "市农业局",  # drinking-water sources in farming areas
    frozenset({"历城区", "长清区", "平阴县"}): "市规划局",  # nature reserve boundaries (四至)
}
OWN_TASK_SUPERVISOR = "市纪委监委"
REGIONS = (*DISTRICTS, *COUNTIES)

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

# Close-out walks: words of the task's text, then (date, step, who, note or report).
# "lead" is the demo unit user when 市生态环境局 is responsible, else the office's clerk on
# the unit's behalf (the one who requests a close-out takes none of its approval steps,
# so that is not the office user who ends the notice and files); "supervisor" and
# "office" are the demo users of those roles.
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
    plan: Plan
    tasks: list[Task]
    responsible: dict[int, set[str]]  # task id → names of its lead and cooperating units


def plan_bytes(name: str) -> bytes:
    return samples.plan_bytes(name)


def import_other_plans(office: Actor) -> list[Plan]:
    """Import the plans of other cities as drafts. Their unit names ("市生态环境局", "市委")
    mean those cities' bodies, so they must not match Jinan's: run this before the Jinan
    registry exists, and the names stay open proposals for the office."""
    with clock.frozen_at(OTHERS_IMPORTED_ON):
        return [
            services.plan_import(office, data=plan_bytes(name), name=name).plan
            for name in OTHER_PLANS
        ]


def import_jinan(office: Actor, registry: Registry) -> services.ImportOutcome:
    """Import the Jinan plan as a draft, its names resolved against the Jinan registry."""
    with clock.frozen_at(JINAN_IMPORTED_ON):
        return services.plan_import(
            office, data=plan_bytes(JINAN_PLAN), name=JINAN_PLAN, region=registry.unit(CITY)
        )


def review_and_confirm(office: Actor, registry: Registry, plan: Plan) -> Loaded:
    """The office's review of the imported Jinan plan, then its confirmation."""
    with clock.frozen_at(JINAN_CONFIRMED_ON):
        _decide_proposals(office, registry, plan)
        inspection = services.inspection_create(
            actor=office,
            name=INSPECTION_NAME,
            kind=InspectionKind.CENTRAL,
            round=1,
            team=INSPECTION_TEAM,
            feedback_on=INSPECTION_FEEDBACK_ON,
        )
        services.plan_add_inspection(actor=office, plan=plan, inspection=inspection)
        tasks = list(plan.tasks.order_by("seq"))
        responsible = _responsible(tasks)
        for task in tasks:
            name = _supervisor(task, responsible[task.pk])
            if name != RECTIFICATION_OFFICE:
                services.task_unit_add(
                    office,
                    task_id=task.pk,
                    unit_id=registry.unit(name).pk,
                    role=AssignmentRole.SUPERVISING,
                )
        # The rest are supervised by the office that runs the rectification, as for any
        # plan that names no supervisor (`closeout import --supervisor`, the review page).
        default = services.plan_supervisor_default(
            office, plan_id=plan.pk, unit_id=registry.unit(RECTIFICATION_OFFICE).pk
        )
        if default.skipped:
            raise ValueError(f"tasks {default.skipped} of {JINAN_PLAN} have no supervisor")
        plan = services.plan_confirm(office, plan.pk)
        plan.published = True  # to the public portal, as the plan itself was
        services.audited_save(office, plan)
    return Loaded(plan=plan, tasks=tasks, responsible=responsible)


def _decide_proposals(office: Actor, registry: Registry, plan: Plan) -> None:
    """Every name of the Jinan plan is in the registry, so the import resolves them all.
    Should one still be open, it is decided by the registry's exact name — never by a
    fuzzy guess — and one that the registry does not hold stops the demo."""
    for proposal in UnitProposal.objects.filter(task__plan=plan, decided=False):
        unit = registry.units.get(proposal.text)
        if unit is not None:
            services.proposal_decide(office, proposal.pk, unit.pk)
    left = list(
        UnitProposal.objects.filter(task__plan=plan, decided=False).values_list("text", flat=True)
    )
    if left:
        raise ValueError(f"unit names of {JINAN_PLAN} not in the Jinan registry: {sorted(left)}")


def _responsible(tasks: list[Task]) -> dict[int, set[str]]:
    names: dict[int, set[str]] = defaultdict(set)
    rows = TaskUnit.objects.filter(task__in=tasks, role__in=RESPONSIBLE_ROLES)
    for task_id, name in rows.values_list("task_id", "unit__name"):
        names[task_id].add(name)
    return {task.pk: names[task.pk] for task in tasks}


def _supervisor(task: Task, names: set[str]) -> str:
    if RECTIFICATION_OFFICE in names:
        supervisor = OWN_TASK_SUPERVISOR
    else:
        # The districts the plan names one by one (not through "各县区党委、政府").
        named = TaskUnit.objects.filter(
            task=task, role__in=RESPONSIBLE_ROLES, via_group=None, unit__parent__name__in=REGIONS
        ).values_list("unit__parent__name", flat=True)
        supervisor = DISTRICT_SUPERVISORS.get(frozenset(named), RECTIFICATION_OFFICE)
    if supervisor in names:
        raise ValueError(f"task {task.seq}: {supervisor} cannot supervise its own task")
    return supervisor


def bring_to_life(loaded: Loaded, actors: dict[str, Actor]) -> None:
    """Replay a year of work in date order: report, close out, send back, reopen."""
    events: list[tuple[dt.date, int, Callable[[], Any]]] = []

    def at(day: dt.date, action: Callable[[], Any]) -> None:
        events.append((day, len(events), action))

    for day, text, percent in ROUNDS:
        at(day, _round(loaded, actors, text, percent, late_round=day.year == 2019))
    for prefix, steps in WALKS:
        (task,) = (t for t in loaded.tasks if prefix in t.text)
        for day, step, who, note in steps:
            actor = _who(who, task, loaded, actors)
            at(day, _step(actor, task, step, note))
    # The office's daily sweep, shown here once a month: missing reports, buckets,
    # public notices ending, look-backs and escalations, as the year went.
    last = max(day for day, _, _ in events)
    month = dt.date(JINAN_CONFIRMED_ON.year, JINAN_CONFIRMED_ON.month, 1)
    while month <= last:
        month = (month + dt.timedelta(days=32)).replace(day=1)
        at(month, functools.partial(sweep.run, month))
    for day, _, action in sorted(events, key=lambda e: (e[0], e[1])):
        with clock.frozen_at(day):
            action()


def _who(who: str, task: Task, loaded: Loaded, actors: dict[str, Actor]) -> Actor:
    if who == "lead":
        return actors["unit"] if ENV_BUREAU in loaded.responsible[task.pk] else actors["clerk"]
    return actors[who]


def _step(actor: Actor, task: Task, step: str, note: str) -> Callable[[], Any]:
    if step == "report":
        return lambda: services.report_create(actor=actor, task_id=task.pk, text=note, percent=100)
    data: dict[str, Any] = {}
    files: list[services.Upload] = []
    if step == "request_closeout":
        # The self-assessment against each acceptance criterion, and the evidence.
        data["assessment"] = {
            criterion: f"{criterion}:经自查,已达到整改目标和验收标准。"
            for criterion in services.acceptance_criteria(task)
        }
        files.append(services.Upload("整改完成情况报告.pdf", EVIDENCE_PDF))
    elif step == "verify":
        data = {"checked_on": None, "inspectors": "督导组"}

    def take() -> None:
        if step == "verify":
            data["checked_on"] = clock.today()
        services.task_transition(
            actor=actor, task_id=task.pk, name=step, note=note, data=data, files=files
        )

    return take


# A one-page PDF standing for a unit's close-out report (整改完成情况报告).
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


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
