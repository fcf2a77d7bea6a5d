"""The unit tree of a province: regions, their committees, governments, departments,
supervising bodies and towns, and the unit groups plans address collectively."""

from __future__ import annotations

import datetime as dt
import json

from closeout.ledger.models import UnitKind, UnitLevel
from closeout.ledger.synth.base import Emitter, Region, UnitNode
from closeout.ledger.synth.vocab import CITIES, DEPARTMENTS, PLACE_A, PLACE_B, SUPERVISORS, TOWN_B


class ProvinceBuilder(Emitter):
    def _unit(
        self,
        parent: UnitNode | None,
        name: str,
        kind: str,
        level: str,
        full_name: str = "",
        code: str = "",
    ) -> UnitNode:
        key = (*(parent.key if parent else ()), name)
        known = self.existing_units.get(key)
        if known is not None:
            return UnitNode(known[0], name, known[1], known[2], key, new=False)
        uid = self._id("unit")
        path = f"{parent.path if parent else '/'}{uid}/"
        depth = parent.depth + 1 if parent else 0
        self._emit(
            "unit",
            (
                uid,
                name,
                full_name,
                kind,
                level,
                parent.id if parent else None,
                path,
                depth,
                code,
                True,
            ),
        )
        return UnitNode(uid, name, path, depth, key)

    def _bodies(self, region: Region, level: str, code: str) -> None:
        rng, s, full = self.rng, region.short, region.name
        committee_name = f"{s}委" if s != "省" else "省委"
        region.committee = self._unit(
            region.node, committee_name, UnitKind.PARTY_COMMITTEE, level, f"中共{full}委员会", code
        )
        region.government = self._unit(
            region.node, f"{s}政府", UnitKind.GOVERNMENT, level, f"{full}人民政府", code
        )
        for dept in rng.sample(DEPARTMENTS, rng.randint(15, 30)):
            name = f"{s}{dept}"
            if dept == "生态环境局" and s in ("区", "县"):
                name = f"{s}生态环境分局"  # after the 2018 reform district bureaus are branches
            node = self._unit(region.node, name, UnitKind.DEPARTMENT, level, f"{full}{dept}")
            region.departments.append(node)
            if dept == "生态环境局" and node.new:
                # The bureau's name before the 2018 reform, as older plans write it.
                self._emit(
                    "unitalias",
                    (self._id("unitalias"), node.id, f"{s}环保局", True, dt.date(2019, 1, 1)),
                )

    def _province(self) -> None:
        rng = self.rng
        root = self._unit(None, "山东省", UnitKind.REGION, UnitLevel.PROVINCE, "山东省", "370000")
        self.province = Region(root, "山东省", "省")
        self._bodies(self.province, UnitLevel.PROVINCE, "370000")
        for sup in SUPERVISORS[:5]:
            self.province.supervisors.append(
                self._unit(root, f"省{sup}", UnitKind.ORGAN, UnitLevel.PROVINCE, f"山东省{sup}")
            )
        used: set[str] = set()
        for ci, city_name in enumerate(CITIES, start=1):
            code = f"37{ci:02d}00"
            city = Region(
                self._unit(
                    root,
                    f"{city_name}市",
                    UnitKind.REGION,
                    UnitLevel.CITY,
                    f"山东省{city_name}市",
                    code,
                ),
                f"{city_name}市",
                "市",
            )
            self._bodies(city, UnitLevel.CITY, code)
            for sup in SUPERVISORS:
                kind = UnitKind.GROUP_OFFICE if "督导" in sup else UnitKind.ORGAN
                city.supervisors.append(
                    self._unit(city.node, f"市{sup}", kind, UnitLevel.CITY, f"{city_name}市{sup}")
                )
            self._unit(
                city.node,
                f"{city_name}高新区管委会",
                UnitKind.MANAGEMENT_COMMITTEE,
                UnitLevel.CITY,
                f"{city_name}高新技术产业开发区管理委员会",
            )
            for di in range(1, rng.randint(8, 12) + 1):
                while True:
                    base = rng.choice(PLACE_A) + rng.choice(PLACE_B)
                    if base not in used:
                        used.add(base)
                        break
                suffix = "区" if rng.random() < 0.55 else "县"
                name = f"{base}{suffix}"
                dcode = f"37{ci:02d}{di:02d}"
                district = Region(
                    self._unit(
                        city.node,
                        name,
                        UnitKind.REGION,
                        UnitLevel.COUNTY,
                        f"{city_name}市{name}",
                        dcode,
                    ),
                    name,
                    suffix,
                )
                self._bodies(district, UnitLevel.COUNTY, dcode)
                for ti in range(rng.randint(3, 6)):
                    town = f"{base}{'东西南北中新'[ti]}{rng.choice(TOWN_B)}"
                    district.towns.append(
                        self._unit(
                            district.node, town, UnitKind.REGION, UnitLevel.TOWN, f"{name}{town}"
                        )
                    )
                city.districts.append(district)
            self.province.districts.append(city)
        self._groups()

    def _group(self, name: str, owner: UnitNode, members: list[UnitNode]) -> int:
        if name in self.existing_groups:
            return self.existing_groups[name]
        gid = self._id("unitgroup")
        self._emit("unitgroup", (gid, name, owner.id, json.dumps([], ensure_ascii=False)))
        for m in members:
            self._emit("unitgroup_members", (self._id("unitgroup_members"), gid, m.id))
        return gid

    def _groups(self) -> None:
        self.member_group: dict[int, int] = {}
        for city in self.province.districts:
            s = city.name
            self.member_group[city.node.id] = self._group(
                f"{s}生态文明建设工作领导小组各成员单位", city.node, city.departments
            )
            self._group(
                f"{s}各区县党委、政府",
                city.node,
                [b for d in city.districts for b in (d.committee, d.government) if b],
            )
