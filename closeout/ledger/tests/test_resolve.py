"""Unit resolution, the version diff and the parse/import commands."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from closeout.ingest import ParseContext, parse, to_json
from closeout.ledger import resolve, services
from closeout.ledger.access import Actor
from closeout.ledger.models import Plan, ProposalReason, Role, UnitKind, UnitLevel
from closeout.ledger.rules.plandiff import diff_tasks
from closeout.ledger.tests.test_imports import SEED_003, SMALL_PLAN

OFFICE = Actor(role=Role.OFFICE, label="test-office")


def _unit(name, kind=UnitKind.DEPARTMENT, parent=None, level=UnitLevel.CITY, **kw):
    return services.unit_create(
        actor=OFFICE, name=name, kind=kind, level=level, parent=parent, **kw
    )


@pytest.fixture
def two_cities(db):
    jinan = _unit("济南市", UnitKind.REGION)
    qingdao = _unit("青岛市", UnitKind.REGION)
    env = _unit("市生态环境局", parent=jinan, former_names=("市环保局",), aliases=("市环境局",))
    other_env = _unit("市生态环境局", parent=qingdao)
    water = _unit("济南市城乡水务局", parent=jinan)
    district = _unit("历城区", UnitKind.REGION, parent=jinan, level=UnitLevel.COUNTY)
    gov = _unit("历城区政府", UnitKind.GOVERNMENT, parent=district, level=UnitLevel.COUNTY)
    group = services.unit_group_create(
        actor=OFFICE, name="各县区政府", members=[gov], owner=None, aliases=("各区县政府",)
    )
    return {"jinan": jinan, "qingdao": qingdao, "env": env, "other_env": other_env,
            "water": water, "gov": gov, "group": group}  # fmt: skip


def test_former_names_and_aliases_resolve_within_the_plans_region(two_cities):
    index = resolve.load_index(two_cities["jinan"])
    found = resolve.resolve(index, "市环保局")
    assert found.unit_ids == (two_cities["env"].pk,) and found.how == "former"
    assert resolve.resolve(index, "市環境局").unit_ids == (two_cities["env"].pk,)  # traditional
    assert resolve.resolve(index, "济南市生态环境局").unit_ids == (two_cities["env"].pk,)
    # An absolute registry name is found by the plan's relative form.
    assert resolve.resolve(index, "市城乡水务局").unit_ids == (two_cities["water"].pk,)
    qingdao = resolve.load_index(two_cities["qingdao"])
    assert resolve.resolve(qingdao, "市生态环境局").unit_ids == (two_cities["other_env"].pk,)


def test_a_name_shared_by_two_cities_is_ambiguous_without_a_region(two_cities):
    found = resolve.resolve(resolve.load_index(None), "市生态环境局")
    assert not found.resolved and found.reason == ProposalReason.AMBIGUOUS
    assert {c.unit_id for c in found.candidates} == {
        two_cities["env"].pk,
        two_cities["other_env"].pk,
    }


def test_collectives_expand_to_their_groups_members(two_cities):
    index = resolve.load_index(two_cities["jinan"])
    found = resolve.resolve(index, "各区县政府")
    assert found.group_id == two_cities["group"].pk
    assert found.unit_ids == (two_cities["gov"].pk,)
    unknown = resolve.resolve(index, "各有关单位")
    assert not unknown.resolved and unknown.reason == ProposalReason.COLLECTIVE


def test_similar_names_are_offered_never_applied(two_cities):
    index = resolve.load_index(two_cities["jinan"])
    found = resolve.resolve(index, "市生态环保局")
    assert not found.resolved and found.reason == ProposalReason.FUZZY
    assert found.candidates[0].unit_id == two_cities["env"].pk
    assert 0.6 <= found.candidates[0].score < 1
    nothing = resolve.resolve(index, "市气象台")
    assert nothing.reason == ProposalReason.UNKNOWN and nothing.candidates == ()


def test_the_plans_region_is_read_from_its_title(two_cities):
    assert resolve.region_for("济南市贯彻落实整改方案") == two_cities["jinan"]
    assert resolve.region_for("中共青岛市委 青岛市人民政府关于…") == two_cities["qingdao"]
    assert resolve.region_for("某某县整改方案") is None


def test_persons_resolve_to_their_units_post(two_cities):
    index = resolve.load_index(two_cities["jinan"])
    assert resolve.resolve_person(index, "市环保局主要负责人") == (
        two_cities["env"].pk,
        "主要负责人",
    )
    assert resolve.resolve_person(index, "张三") == (None, "")


def _task(seq, text, problem="一、大气", deadline="2019年底", lead=("市环保局",)):
    return {"seq": seq, "text": text, "problem": {"path": [problem], "title": problem},
            "target": None, "measures": [text], "lead_units": list(lead), "coop_units": [],
            "persons": [], "supervising_units": [], "coop_supervising_units": [],
            "supervising_leaders": [], "deadline": {"raw": deadline}}  # fmt: skip


def test_the_diff_pairs_reworded_tasks_and_lists_added_and_removed():
    old = [_task(1, "淘汰燃煤小锅炉100台。"), _task(2, "清理违法建筑。", "二、水"),
           _task(3, "建设污水处理厂。", "二、水")]  # fmt: skip
    new = [_task(1, "淘汰燃煤小锅炉120台。", deadline="2020年底"),
           _task(2, "清理违法建筑。", "二、水", lead=("市水务局",)),
           _task(3, "完成噪声地图绘制。", "三、噪声")]  # fmt: skip
    diff = diff_tasks(old, new)
    assert [(c.old_seq, c.new_seq) for c in diff.changed] == [(1, 1), (2, 2)]
    assert set(diff.changed[0].fields) == {"text", "measures", "deadline"}
    assert diff.changed[1].fields == {"lead_units": (["市环保局"], ["市水务局"])}
    assert diff.added == [3] and diff.removed == [3] and diff.unchanged == 0
    same = diff_tasks(old, old)
    assert same.empty and same.unchanged == 3


def test_parse_json_prints_exactly_the_contract(tmp_path):
    path = tmp_path / "jinan.txt"
    path.write_bytes(SEED_003)
    out = StringIO()
    call_command("parse", str(path), "--json", stdout=out)
    expected = to_json(parse(SEED_003, ParseContext(name=str(path))))
    assert json.loads(out.getvalue()) == json.loads(json.dumps(expected, ensure_ascii=False))
    assert len(expected["tasks"]) == 61


def test_parse_refuses_bad_input_naming_the_file(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"\x00\x01garbage")
    with pytest.raises(CommandError, match=r"bad\.docx"):
        call_command("parse", str(bad))
    with pytest.raises(CommandError, match=r"missing\.txt"):
        call_command("parse", str(tmp_path / "missing.txt"))


def test_import_prints_a_summary_and_is_a_no_op_the_second_time(db, tmp_path):
    path = tmp_path / "small.txt"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    out = StringIO()
    call_command("import", str(path), stdout=out)
    text = out.getvalue()
    assert "tasks: 3" in text and "unresolved unit: 市环保局" in text
    again = StringIO()
    call_command("import", str(path), stdout=again)
    assert "already imported" in again.getvalue() and Plan.objects.count() == 1
    with pytest.raises(CommandError, match="市环保局"):
        call_command("import", str(path), "--confirm", stdout=StringIO())


def test_import_confirm_confirms_a_fully_resolved_plan(db, tmp_path):
    city = _unit("济南市", UnitKind.REGION)  # the plan's title names its city
    for name in ("市环保局", "市测试局", "市城乡水务局", "市国土资源局"):
        _unit(name, parent=city)
    path = Path(tmp_path / "small.txt")
    path.write_text(SMALL_PLAN, encoding="utf-8")
    out = StringIO()
    _unit("市整改办", UnitKind.GROUP_OFFICE, parent=city)
    with pytest.raises(CommandError, match="--supervisor"):
        call_command("import", str(path), "--confirm", stdout=StringIO())
    call_command("import", str(path), "--confirm", "--supervisor", "市整改办", stdout=out)
    assert "given to 3 tasks" in out.getvalue() and "confirmed" in out.getvalue()
    assert Plan.objects.get().status == "confirmed"
