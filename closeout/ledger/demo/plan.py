"""The Jinan 2018 plan as a hand-made fixture: its outline, deadlines and collectives.

Until plan import lands, the demo does not parse plans in general. It holds what a
person reading `plans/jinan_2018.txt` would write down: the outline of "二、主要措施"
(sections (一)…(七) and their numbered items, typed here and checked against the text),
the seven deadline phrases the plan uses with their meaning, and how its collective and
distributive unit phrases expand. The task paragraphs themselves are the lines of the
source that carry the "(责任单位:…;责任人:…;整改时限:…)" tail, cut out with their
character offsets so every task points at the sentence it came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from importlib import resources

from closeout.ledger.demo.jinan import (
    ALL_DISTRICT_GOVERNMENTS,
    ALL_DISTRICTS,
    ECO_GROUP_MEMBERS,
    committee,
    government,
)
from closeout.ledger.models import Category

SOURCE_NAME = "jinan_2018.txt"
TITLE = "济南市贯彻落实中央环境保护督察组督察反馈意见整改落实实施方案"
ISSUER = "中共济南市委 济南市人民政府"
ISSUED_ON = dt.date(2018, 6, 29)
MEASURES_HEADING = "二、主要措施"
NEXT_HEADING = "三、保障措施"

# (section number, section title, category, [(item number, item title), ...])
OUTLINE: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "(一)",
        "坚决贯彻落实党中央决策部署",
        Category.RESPONSIBILITY,
        (
            ("1", "坚决扛起生态文明建设政治责任"),
            ("2", "强化党政同责、“一岗双责”"),
            ("3", "全面推进依法行政依法治理"),
            ("4", "进一步强化考核"),
            ("5", "切实制止不作为慢作为乱作为"),
        ),
    ),
    (
        "(二)",
        "坚定不移推进结构调整",
        Category.INDUSTRY,
        (
            ("1", "优化空间布局,推进绿色发展"),
            ("2", "推进传统产业改造升级,加快化解过剩产能"),
            ("3", "科学调整能源供给,继续优化能源结构"),
            ("4", "着力推进化工产业转型集聚发展"),
            ("5", "坚决清理重大违规项目"),
        ),
    ),
    (
        "(三)",
        "坚定不移打好污染防治攻坚战",
        Category.OTHER,
        (
            ("1", "坚决打赢蓝天保卫战"),
            ("2", "深入实施水污染防治行动计划"),
            ("3", "扎实推进净土行动"),
            ("4", "强化固体废物规范化管理"),
            ("5", "加强饮用水水源保护"),
        ),
    ),
    (
        "(四)",
        "坚定不移加快重要生态功能区保护与修复",
        Category.ECOLOGY,
        (
            ("1", "加强自然保护区建设和管护"),
            ("2", "加强矿山地质环境恢复和治理"),
        ),
    ),
    (
        "(五)",
        "进一步加强环境执法监管",
        Category.SUPERVISION,
        (
            ("1", "开展中央环保督察反馈问题“回头看”"),
            ("2", "抓好突出环境问题整改"),
            ("3", "加强环境日常监管执法"),
        ),
    ),
    (
        "(六)",
        "坚定不移深化生态文明体制改革",
        Category.SUPERVISION,
        (
            ("1", "推进环保机构监测监察执法垂直管理改革"),
            ("2", "建立健全智慧环保监管机制"),
            ("3", "推进生态文明制度完善"),
        ),
    ),
    (
        "(七)",
        "坚定不移动员和依靠社会各方面力量推进整改",
        Category.RESPONSIBILITY,
        (
            ("1", "各方面广泛参与"),
            ("2", "群团组织积极推动"),
            ("3", "新闻媒体宣传监督"),
        ),
    ),
)
# The pollution section's items each have their own medium.
ITEM_CATEGORIES = {
    ("(三)", "1"): Category.AIR,
    ("(三)", "2"): Category.WATER,
    ("(三)", "3"): Category.SOIL,
    ("(三)", "4"): Category.SOLID_WASTE,
    ("(三)", "5"): Category.WATER,
    ("(六)", "3"): Category.ECOLOGY,
}

# Every deadline phrase of the plan: (due date or None, immediate 立行立改, ongoing 长期坚持).
# A month or "年底" means its last day.
DEADLINES: dict[str, tuple[dt.date | None, bool, bool]] = {
    "立行立改,长期坚持": (None, True, True),
    "立行立改": (None, True, False),
    "2018年8月": (dt.date(2018, 8, 31), False, False),
    "2018年8月底": (dt.date(2018, 8, 31), False, False),
    "2018年年底": (dt.date(2018, 12, 31), False, False),
    "2019年年底": (dt.date(2019, 12, 31), False, False),
    "2020年年底": (dt.date(2020, 12, 31), False, False),
}

# Collective references resolve to a unit group; distributive ones ("济阳县、长清区党委、
# 政府" = four units) are spelled out here, since parsing them is the importer's job.
GROUP_PHRASES = (ECO_GROUP_MEMBERS, ALL_DISTRICTS, ALL_DISTRICT_GOVERNMENTS)


def _both(*regions: str) -> tuple[str, ...]:
    return tuple(n for r in regions for n in (committee(r), government(r)))


DISTRIBUTIVE_PHRASES: dict[str, tuple[str, ...]] = {
    "济阳县、长清区党委、政府": _both("济阳县", "长清区"),
    "章丘区、平阴县党委、政府": _both("章丘区", "平阴县"),
    "历城区、长清区、平阴县党委、政府": _both("历城区", "长清区", "平阴县"),
    "市南部山区党工委、管委会": ("南部山区党工委", "南部山区管委会"),
}

TAIL = re.compile(
    r"\(责任单位:(?P<units>[^;]+);责任人:(?P<persons>[^;]+);整改时限:(?P<deadline>[^)]+)\)$"
)


@dataclass(frozen=True)
class UnitToken:
    """One entry of a 责任单位 list: a unit name, a group or a distributive phrase."""

    text: str
    group: str | None = None  # set for a collective reference
    names: tuple[str, ...] = ()  # the unit names it stands for (empty for a group)


@dataclass(frozen=True)
class TaskSource:
    seq: int
    text: str  # the measure, without the item heading and the responsibility tail
    span_start: int
    span_end: int  # the whole paragraph, tail included
    units: tuple[UnitToken, ...]
    deadline_raw: str


@dataclass(frozen=True)
class ProblemSource:
    seq: int
    number: str
    title: str
    outline_path: tuple[str, ...]
    category: str
    span_start: int
    span_end: int
    tasks: tuple[TaskSource, ...]


def source_bytes() -> bytes:
    return resources.files("closeout.ledger.demo").joinpath("plans", SOURCE_NAME).read_bytes()


def content_hash() -> str:
    return hashlib.sha256(source_bytes()).hexdigest()


def split_units(clause: str) -> tuple[UnitToken, ...]:
    """Split "市环保局、市发改委,各县区党委、政府" into its entries. Known phrases are
    matched first because they contain the separators themselves."""
    tokens: list[UnitToken] = []
    i = 0
    while i < len(clause):
        if clause[i] in "、,":
            i += 1
            continue
        for phrase in (*GROUP_PHRASES, *DISTRIBUTIVE_PHRASES):
            if clause.startswith(phrase, i):
                if phrase in DISTRIBUTIVE_PHRASES:
                    tokens.append(UnitToken(phrase, names=DISTRIBUTIVE_PHRASES[phrase]))
                else:
                    tokens.append(UnitToken(phrase, group=phrase))
                i += len(phrase)
                break
        else:
            end = min(
                (j for j in (clause.find(s, i) for s in "、,") if j >= 0), default=len(clause)
            )
            name = clause[i:end]
            tokens.append(UnitToken(name, names=(name,)))
            i = end
    return tuple(tokens)


def _line_span(source: str, start: int) -> tuple[int, int]:
    end = source.find("\n", start)
    return start, len(source) if end < 0 else end


def read_plan(source: str) -> list[ProblemSource]:
    """The problems and tasks of the measures chapter, checked against the source.

    1. find the chapter, then each section heading and item heading of OUTLINE in order;
    2. an item runs to the next item, section or the following chapter;
    3. each line of an item that ends with the responsibility tail is a task; the first
       line's "N.标题。" belongs to the problem, not the task.
    """
    chapter = source.index(f"\n{MEASURES_HEADING}\n")
    chapter_end = source.index(f"\n{NEXT_HEADING}\n", chapter)
    # Every heading position, in document order, to know where each item ends.
    items: list[tuple[int, str, str, str, str, str]] = []
    pos = chapter
    for number, title, category, entries in OUTLINE:
        pos = source.index(f"\n{number}{title}\n", pos)
        for item_number, item_title in entries:
            pos = source.index(f"\n{item_number}.{item_title}。", pos) + 1
            items.append(
                (
                    pos,
                    number,
                    title,
                    ITEM_CATEGORIES.get((number, item_number), category),
                    item_number,
                    item_title,
                )
            )
    problems: list[ProblemSource] = []
    task_seq = 0
    for index, (start, number, title, category, item_number, item_title) in enumerate(items):
        end = items[index + 1][0] if index + 1 < len(items) else chapter_end
        next_section = source.find("\n(", start, end)
        end = next_section if next_section >= 0 else end
        tasks: list[TaskSource] = []
        line_start = start
        while line_start < end:
            s, e = _line_span(source, line_start)
            line = source[s:e]
            match = TAIL.search(line)
            if match:
                task_seq += 1
                body = line[: match.start()]
                heading = f"{item_number}.{item_title}。"
                if body.startswith(heading):
                    body = body[len(heading) :]
                tasks.append(
                    TaskSource(
                        seq=task_seq,
                        text=body.strip(),
                        span_start=s,
                        span_end=e,
                        units=split_units(match["units"]),
                        deadline_raw=match["deadline"],
                    )
                )
            line_start = e + 1
        if not tasks:
            raise ValueError(f"no tasks found under {number}{item_number}.{item_title}")
        problems.append(
            ProblemSource(
                seq=len(problems) + 1,
                number=f"{number}{item_number}",
                title=item_title,
                outline_path=(MEASURES_HEADING, f"{number}{title}", f"{item_number}.{item_title}"),
                category=category,
                span_start=start,
                span_end=tasks[-1].span_end,
                tasks=tuple(tasks),
            )
        )
    return problems
