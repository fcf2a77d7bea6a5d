"""The unit registry (单位名录) of Jinan as the 2018 plan names it, as plain data.

Source: closeout/samples/plans/003_jinan_2018.txt
(济南市贯彻落实中央环境保护督察组督察反馈意见整改落实实施方案,
2018-06-29). Every body the plan names as a responsible unit (责任单位) is here, plus the
few it names elsewhere (the leading group, the media in 保障措施, the company in 三.4);
meetings such as 市委常委会 are not bodies and are left out. Names are the plan's own; the
few full names and short forms added are the customary ones.

The districts and counties are those of 2018 (济阳县 became 济阳区 only at the end of
2018; 莱芜 joined the city in 2019), each a region with its party committee (党委) and
government (政府). 高新区 and 南部山区 are management areas with a 党工委 and 管委会.

`load_units` is idempotent: it looks each unit up by parent and name and creates only
what is missing, always through `services.unit_create`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.models import Unit, UnitGroup, UnitKind, UnitLevel

CITY = "济南市"
CITY_COMMITTEE = "市委"
CITY_GOVERNMENT = "市政府"
ENV_BUREAU = "市生态环境局"
RECTIFICATION_OFFICE = "市整改工作领导小组办公室"
ECO_GROUP = "市生态文明建设工作领导小组"

ALL_DISTRICTS = "各县区党委、政府"
ALL_DISTRICT_GOVERNMENTS = "各县区政府"
ECO_GROUP_MEMBERS = "市生态文明建设工作领导小组各成员单位"


@dataclass(frozen=True)
class UnitSpec:
    name: str
    kind: str
    parent: str | None
    level: str = UnitLevel.CITY
    full_name: str = ""
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()


def _city_bodies() -> list[UnitSpec]:
    D, C = UnitKind.DEPARTMENT, CITY_COMMITTEE
    G = CITY_GOVERNMENT
    return [
        UnitSpec(CITY, UnitKind.REGION, None, full_name="济南市"),
        UnitSpec(
            C,
            UnitKind.PARTY_COMMITTEE,
            CITY,
            full_name="中共济南市委员会",
            aliases=("中共济南市委", "济南市委"),
        ),
        UnitSpec(
            G,
            UnitKind.GOVERNMENT,
            CITY,
            full_name="济南市人民政府",
            aliases=("济南市人民政府", "市人民政府"),
        ),
        # Offices and departments of the party committee.
        UnitSpec("市委办公厅", D, C, aliases=("市委办",)),
        UnitSpec("市委宣传部", D, C),
        UnitSpec("市委组织部", D, C),
        UnitSpec("市委统战部", D, C),
        UnitSpec("市编办", D, C, full_name="市委机构编制委员会办公室"),
        # Departments of the government. The environmental protection bureau (市环保局)
        # was renamed in the institutional reform; the plan still uses the old name.
        UnitSpec("市政府办公厅", D, G, aliases=("市政府办",)),
        UnitSpec(ENV_BUREAU, D, G, full_name="济南市生态环境局", former_names=("市环保局",)),
        UnitSpec("市发改委", D, G, full_name="市发展和改革委员会"),
        UnitSpec("市经济和信息化委", D, G, full_name="市经济和信息化委员会", aliases=("市经信委",)),
        UnitSpec("市科技局", D, G),
        UnitSpec("市教育局", D, G),
        UnitSpec("市公安局", D, G),
        UnitSpec("市民政局", D, G),
        UnitSpec("市财政局", D, G),
        UnitSpec("市国土资源局", D, G),
        UnitSpec("市规划局", D, G),
        UnitSpec("市城乡建设委", D, G, full_name="市城乡建设委员会", aliases=("市建委",)),
        UnitSpec("市城乡交通运输委", D, G, full_name="市城乡交通运输委员会"),
        UnitSpec("市城乡水务局", D, G),
        UnitSpec("市农业局", D, G),
        UnitSpec("市林业和城乡绿化局", D, G),
        UnitSpec("市畜牧兽医局", D, G),
        UnitSpec("市商务局", D, G),
        UnitSpec("市卫生计生委", D, G, full_name="市卫生和计划生育委员会"),
        UnitSpec("市审计局", D, G),
        UnitSpec("市统计局", D, G),
        UnitSpec("市城管局", D, G, full_name="市城市管理局"),
        UnitSpec("市城管执法局", D, G, full_name="市城市管理行政执法局"),
        UnitSpec("市法制办", D, G, full_name="市政府法制办公室"),
        UnitSpec("市金融办", D, G, full_name="市政府金融工作办公室"),
        # Bodies that belong to neither: the discipline commission, the congress and
        # CPPCC offices, the mass organisations, the central bank's branch.
        UnitSpec("市纪委监委", UnitKind.ORGAN, CITY, full_name="市纪律检查委员会、市监察委员会"),
        UnitSpec("市人大常委会办公厅", UnitKind.ORGAN, CITY),
        UnitSpec("市政协办公厅", UnitKind.ORGAN, CITY),
        UnitSpec("市总工会", UnitKind.ORGAN, CITY),
        UnitSpec("团市委", UnitKind.ORGAN, CITY, full_name="共青团济南市委员会"),
        UnitSpec("市妇联", UnitKind.ORGAN, CITY, full_name="市妇女联合会"),
        UnitSpec("人民银行济南分行营业管理部", UnitKind.OTHER, CITY),
        # The leading groups (领导小组) and the office that runs the rectification.
        UnitSpec(ECO_GROUP, UnitKind.GROUP_OFFICE, CITY),
        UnitSpec(
            "市环境保护督察反馈意见整改工作领导小组",
            UnitKind.GROUP_OFFICE,
            CITY,
            aliases=("市整改工作领导小组",),
        ),
        UnitSpec(
            RECTIFICATION_OFFICE,
            UnitKind.GROUP_OFFICE,
            "市环境保护督察反馈意见整改工作领导小组",
            aliases=("市整改办",),
        ),
        # Named outside the task list: the media of 保障措施(五) and the company of 三.4.
        UnitSpec("济南电视台", UnitKind.OTHER, CITY),
        UnitSpec("济南日报", UnitKind.OTHER, CITY),
        UnitSpec("济南云水腾跃环保科技有限公司", UnitKind.COMPANY, CITY),
    ]


DISTRICTS = ("历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区")
COUNTIES = ("平阴县", "济阳县", "商河县")
# Management areas: name, full name, and the names the plan uses for their bodies.
MANAGEMENT_AREAS = (
    ("高新区", "济南高新技术产业开发区", ("济南高新区",)),
    ("南部山区", "济南市南部山区", ("市南部山区",)),
)


def committee(region: str) -> str:
    return f"{region}党委"


def government(region: str) -> str:
    return f"{region}政府"


def _district_bodies() -> list[UnitSpec]:
    specs: list[UnitSpec] = []
    county = UnitLevel.COUNTY
    for region in (*DISTRICTS, *COUNTIES):
        short = region[:-1] + ("区委" if region.endswith("区") else "县委")
        specs += [
            UnitSpec(region, UnitKind.REGION, CITY, county, full_name=f"济南市{region}"),
            UnitSpec(
                committee(region),
                UnitKind.PARTY_COMMITTEE,
                region,
                county,
                aliases=(short, f"中共{short}"),
            ),
            UnitSpec(
                government(region),
                UnitKind.GOVERNMENT,
                region,
                county,
                aliases=(f"{region}人民政府",),
            ),
        ]
    for region, full_name, other_names in MANAGEMENT_AREAS:
        specs += [
            UnitSpec(
                region, UnitKind.REGION, CITY, county, full_name=full_name, aliases=other_names
            ),
            UnitSpec(
                f"{region}党工委",
                UnitKind.PARTY_COMMITTEE,
                region,
                county,
                aliases=tuple(f"{n}党工委" for n in other_names),
            ),
            UnitSpec(
                f"{region}管委会",
                UnitKind.MANAGEMENT_COMMITTEE,
                region,
                county,
                aliases=tuple(f"{n}管委会" for n in other_names),
            ),
        ]
    return specs


UNITS: tuple[UnitSpec, ...] = (*_city_bodies(), *_district_bodies())

# The members of 市生态文明建设工作领导小组. The plan does not list them; these are the
# committee offices and the government departments with environmental duties under
# 济厅字〔2017〕7号 that the plan itself assigns work to. The congress and CPPCC offices,
# the discipline commission, the mass organisations and the central bank's branch are
# left out: they oversee or support the government's work rather than sit in its group.
ECO_GROUP_MEMBER_NAMES = (
    "市委办公厅",
    "市政府办公厅",
    "市委宣传部",
    "市委组织部",
    "市编办",
    "市发改委",
    "市经济和信息化委",
    "市科技局",
    "市教育局",
    "市公安局",
    "市财政局",
    "市国土资源局",
    "市规划局",
    ENV_BUREAU,
    "市城乡建设委",
    "市城乡交通运输委",
    "市城乡水务局",
    "市农业局",
    "市林业和城乡绿化局",
    "市畜牧兽医局",
    "市商务局",
    "市卫生计生委",
    "市审计局",
    "市统计局",
    "市城管局",
    "市城管执法局",
    "市法制办",
)

# "各县区" means the ten districts and counties; the plan names 南部山区 separately where it
# means it (三.四.1), so the management areas are not members of these groups.
GROUPS: tuple[tuple[str, str | None, tuple[str, ...], tuple[str, ...]], ...] = (
    (ECO_GROUP_MEMBERS, ECO_GROUP, ECO_GROUP_MEMBER_NAMES, ("领导小组各成员单位",)),
    (
        ALL_DISTRICTS,
        None,
        tuple(n for r in (*DISTRICTS, *COUNTIES) for n in (committee(r), government(r))),
        ("各区县党委、政府",),
    ),
    (
        ALL_DISTRICT_GOVERNMENTS,
        None,
        tuple(government(r) for r in (*DISTRICTS, *COUNTIES)),
        ("各区县政府",),
    ),
)


@dataclass
class Registry:
    """The loaded units and groups, found by any of their names."""

    units: dict[str, Unit] = field(default_factory=dict)
    groups: dict[str, UnitGroup] = field(default_factory=dict)

    def unit(self, name: str) -> Unit:
        try:
            return self.units[name]
        except KeyError:
            raise KeyError(f"{name!r} is not in the Jinan unit registry") from None

    def group_members(self, name: str) -> list[Unit]:
        return [self.unit(n) for n in _group_spec(name)[2]]


def _group_spec(name: str) -> tuple[str, str | None, tuple[str, ...], tuple[str, ...]]:
    return next(g for g in GROUPS if g[0] == name)


def load_units(actor: Actor) -> Registry:
    """Create the registry's missing units and groups; return all of them by name."""
    registry = Registry()
    by_canonical: dict[str, Unit] = {}
    for spec in UNITS:
        parent = by_canonical[spec.parent] if spec.parent else None
        unit = Unit.objects.filter(parent=parent, name=spec.name).first()
        if unit is None:
            unit = services.unit_create(
                actor=actor,
                name=spec.name,
                kind=spec.kind,
                level=spec.level,
                parent=parent,
                full_name=spec.full_name,
                aliases=spec.aliases,
                former_names=spec.former_names,
            )
        by_canonical[spec.name] = unit
        for name in (spec.name, *spec.aliases, *spec.former_names):
            if registry.units.setdefault(name, unit) != unit:
                raise ValueError(f"two units of the registry are called {name!r}")
    for name, owner, members, aliases in GROUPS:
        group = UnitGroup.objects.filter(name=name).first()
        if group is None:
            group = services.unit_group_create(
                actor=actor,
                name=name,
                members=[registry.unit(m) for m in members],
                owner=registry.unit(owner) if owner else None,
                aliases=aliases,
            )
        registry.groups[name] = group
    return registry
