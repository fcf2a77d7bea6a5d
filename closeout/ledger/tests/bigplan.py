"""A generated plan of many tasks naming a few unknown units many times, for the review
at scale: each task names 市生态环境局 (known) and one of `names` units that no registry
holds ("市未知0局" …), so n tasks give n undecided occurrences of `names` names."""

from __future__ import annotations

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.models import Unit, UnitKind, UnitLevel

WORDS = "东西南北中山河湖海林田草沙泉溪港湾岭坡谷"


def _place(i: int) -> str:
    # Three characters that differ from task to task, so the importer's duplicate
    # detection (near-equal texts) keeps every task.
    return WORDS[i % 20] + WORDS[(i // 20) % 20] + WORDS[(i * 7 + 3) % 20]


def unknown(k: int) -> str:
    return f"市未知{k}局"


def big_plan(n: int = 391, names: int = 40, title: str = "济南市大规模整改方案") -> bytes:
    lines = [title, "一、主要措施"]
    for i in range(1, n + 1):
        p = _place(i)
        lines.append(
            f"{i}.{p}片区开展{p}河段第{i}号环境问题专项整治。"
            f"(责任单位:市生态环境局、{unknown(i % names)};整改时限:2019年底)"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def registry(actor: Actor) -> dict[str, Unit]:
    """济南市 with its environment bureau, the rectification office and two other units."""
    city = services.unit_create(
        actor=actor, name="济南市", kind=UnitKind.REGION, level=UnitLevel.PROVINCE
    )
    out = {"city": city}
    for key, name, kind in (
        ("env", "市生态环境局", UnitKind.DEPARTMENT),
        ("office", "市整改工作领导小组办公室", UnitKind.GROUP_OFFICE),
        ("water", "市城乡水务局", UnitKind.DEPARTMENT),
        ("land", "市自然资源局", UnitKind.DEPARTMENT),
    ):
        out[key] = services.unit_create(
            actor=actor, name=name, kind=kind, level=UnitLevel.CITY, parent=city
        )
    return out
