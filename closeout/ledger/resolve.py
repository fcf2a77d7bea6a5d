"""Unit resolution (单位匹配): names as a plan writes them → units of the registry.

Plain functions over a `UnitIndex` loaded once per import. In order of trust:

1. the unit's name, full name, alias or former name ("市环保局" → 市生态环境局 after the
   2018 reform), compared after NFKC and traditional → simplified normalisation;
2. the same names relative to the plan's region: "济南市生态环境局" and "市生态环境局" are the
   same body when the plan is Jinan's; when several units share a name, the one under the
   plan's region wins;
3. collective references ("各县区党委、政府", "领导小组各成员单位") → a `UnitGroup`, expanded to
   its members (the assignment keeps the group it came through);
4. otherwise similar names (difflib ratio) are offered as candidates for the office to
   confirm. They are never applied: an unsure match in a ledger that decides who is held
   accountable is worse than an open question.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from closeout.ingest.normalise import normalise
from closeout.ingest.units import COLLECTIVE, ROLES
from closeout.ledger.models import ProposalReason, Unit, UnitAlias, UnitGroup, UnitKind

FUZZY_CUTOFF = 0.6
MAX_CANDIDATES = 5
_LEVEL = re.compile(r"(?:省|市|自治州|州|盟|地区|县|自治县|区|旗)$")
_ROLE = re.compile("(" + "|".join(ROLES) + ")$")
_SPACE = re.compile(r"\s+")


def key(text: str) -> str:
    """The form names are compared in: NFKC, simplified characters, no spaces."""
    return _SPACE.sub("", normalise(text).text)


@dataclass(frozen=True)
class Candidate:
    unit_id: int
    name: str
    score: float

    def as_json(self) -> dict[str, object]:
        return {"unit": self.unit_id, "name": self.name, "score": round(self.score, 3)}


@dataclass(frozen=True)
class Resolution:
    """What one name resolved to. `unit_ids` is empty when the office must decide;
    `reason` (a `ProposalReason`) then says why and `candidates` what it may pick."""

    text: str
    unit_ids: tuple[int, ...] = ()
    group_id: int | None = None
    how: str = "none"  # name | alias | former | relative | group | none
    reason: str | None = None
    candidates: tuple[Candidate, ...] = ()

    @property
    def resolved(self) -> bool:
        return bool(self.unit_ids)


@dataclass
class UnitIndex:
    """Every name of every active unit and group, keyed by `key()`."""

    names: dict[str, set[tuple[int, str]]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[int, str] = field(default_factory=dict)
    paths: dict[int, str] = field(default_factory=dict)
    groups: dict[str, tuple[int, tuple[int, ...]]] = field(default_factory=dict)
    region_id: int | None = None
    region_stem: str = ""
    region_level: str = ""

    def add(self, unit_id: int, name: str, how: str) -> None:
        if name:
            self.names[key(name)].add((unit_id, how))

    def in_region(self, unit_id: int) -> bool:
        if self.region_id is None:
            return True
        return f"/{self.region_id}/" in self.paths.get(unit_id, "")

    def relative(self, name: str) -> str | None:
        """ "济南市生态环境局" → "市生态环境局" when the plan is Jinan's (else None)."""
        if self.region_stem and name.startswith(self.region_stem):
            rest = name[len(self.region_stem) :]
            if rest.startswith(self.region_level) and len(rest) > len(self.region_level):
                return rest
        return None


def region_stem(name: str) -> tuple[str, str]:
    """ "济南市" → ("济南", "市"); a name with no level suffix → (name, "")."""
    m = _LEVEL.search(name)
    if m is None or m.start() == 0:
        return name, ""
    return name[: m.start()], m.group(0)


def load_index(region: Unit | None = None) -> UnitIndex:
    """Read the registry (a few queries, whatever its size) into an index."""
    index = UnitIndex()
    if region is not None:
        index.region_id = region.pk
        index.region_stem, index.region_level = region_stem(key(region.name))
    for uid, name, full, path in Unit.objects.filter(active=True).values_list(
        "id", "name", "full_name", "path"
    ):
        index.labels[uid] = name
        index.paths[uid] = path
        index.add(uid, name, "name")
        index.add(uid, full, "name")
    for uid, name, former in UnitAlias.objects.filter(unit__active=True).values_list(
        "unit_id", "name", "former"
    ):
        index.add(uid, name, "former" if former else "alias")
    # Relative forms of absolute names ("济南市生态环境局" is also "市生态环境局" here).
    for k, entries in list(index.names.items()):
        rel = index.relative(k)
        if rel is not None:
            for uid, _how in list(entries):
                if index.in_region(uid):
                    index.names[rel].add((uid, "relative"))
    members: dict[int, list[int]] = defaultdict(list)
    for gid, uid in UnitGroup.members.through.objects.values_list("unitgroup_id", "unit_id"):
        if uid in index.labels:
            members[gid].append(uid)
    for gid, name, aliases in UnitGroup.objects.values_list("id", "name", "aliases"):
        for n in (name, *(aliases or ())):
            index.groups[key(n)] = (gid, tuple(sorted(members[gid])))
    return index


# Names that only mean something inside a region: "市生态环境局", "区政府", "各县区党委".
RELATIVE_NAME = re.compile(r"^(?:市|区|县|镇|乡|街道|各)")


def _pick(index: UnitIndex, entries: set[tuple[int, str]]) -> list[tuple[int, str]]:
    """Among units sharing a name, those of the plan's region (all when the plan's region
    is unknown). A unit of another region is never picked for a plan of a known region."""
    chosen = [e for e in entries if index.in_region(e[0])]
    by_unit: dict[int, str] = {}
    for uid, how in sorted(chosen):
        by_unit.setdefault(uid, how)
    return sorted(by_unit.items())


def _fuzzy(index: UnitIndex, k: str) -> tuple[Candidate, ...]:
    pool = [n for n, entries in index.names.items() if any(index.in_region(u) for u, _ in entries)]
    close = difflib.get_close_matches(k, pool, n=MAX_CANDIDATES * 2, cutoff=FUZZY_CUTOFF)
    seen: dict[int, Candidate] = {}
    for name in close:
        score = difflib.SequenceMatcher(None, k, name).ratio()
        for uid, _how in index.names[name]:
            if index.in_region(uid) and (uid not in seen or seen[uid].score < score):
                seen[uid] = Candidate(uid, index.labels.get(uid, name), score)
    ranked = sorted(seen.values(), key=lambda c: (-c.score, c.unit_id))
    return tuple(ranked[:MAX_CANDIDATES])


def resolve(index: UnitIndex, text: str) -> Resolution:
    """Resolve one unit name as written (one entry of a parsed unit list)."""
    k = key(text)
    if not k:
        return Resolution(text, reason=ProposalReason.UNKNOWN)
    for form in (k, index.relative(k)):
        if form is None:
            continue
        group = index.groups.get(form)
        if group is not None and group[1]:
            return Resolution(text, unit_ids=group[1], group_id=group[0], how="group")
        entries = index.names.get(form)
        if entries:
            picked = _pick(index, entries)
            # "市生态环境局" in a plan whose city is unknown could be any city's: ask.
            certain = index.region_id is not None or not RELATIVE_NAME.match(form)
            if len(picked) == 1 and certain:
                how = picked[0][1] if form == k else "relative"
                return Resolution(text, unit_ids=(picked[0][0],), how=how)
            if picked:
                return Resolution(
                    text,
                    reason=ProposalReason.AMBIGUOUS,
                    candidates=tuple(
                        Candidate(u, index.labels.get(u, text), 1.0) for u, _ in picked
                    ),
                )
    candidates = _fuzzy(index, index.relative(k) or k)
    if COLLECTIVE.search(k):
        return Resolution(text, reason=ProposalReason.COLLECTIVE, candidates=candidates)
    reason = ProposalReason.FUZZY if candidates else ProposalReason.UNKNOWN
    return Resolution(text, reason=reason, candidates=candidates)


def resolve_person(index: UnitIndex, text: str) -> tuple[int | None, str]:
    """ "市环保局主要负责人" → (the bureau's id, "主要负责人"); (None, post) when the unit part
    does not resolve to exactly one unit. Persons are kept as written either way."""
    k = key(text)
    m = _ROLE.search(k)
    if m is None or m.start() == 0:
        return None, ""
    found = resolve(index, k[: m.start()])
    unit = found.unit_ids[0] if len(found.unit_ids) == 1 and found.group_id is None else None
    return unit, m.group(1)


def region_for(title: str | None, issuer: str | None = None) -> Unit | None:
    """The region a plan belongs to, from the region name its title (or issuer) starts with:
    "济南市贯彻落实…方案" → the region unit 济南市. None when no region unit matches."""
    text = key(" ".join(t for t in (title, issuer) if t))
    if not text:
        return None
    best: Unit | None = None
    for unit in Unit.objects.filter(kind=UnitKind.REGION, active=True).only("id", "name", "path"):
        for name in (key(unit.name), region_stem(key(unit.name))[0]):
            starts = text.startswith(name) or text.startswith("中共" + name)
            if len(name) >= 2 and starts and (best is None or len(unit.path) > len(best.path)):
                best = unit
    return best
