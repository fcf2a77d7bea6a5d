from __future__ import annotations

import json
import subprocess
import sys

import pytest

from closeout.ingest.bench import FIELDS, GOLD, mismatches, score
from closeout.ingest.parse import parse
from closeout.ingest.result import ParseContext, to_json
from closeout.ingest.tests.conftest import seed_path

CONTRACT_TASK_KEYS = {
    "seq", "document", "problem", "text", "target", "measures", "lead_units", "coop_units",
    "persons", "supervising_units", "coop_supervising_units", "supervising_leaders",
    "deadline", "span", "duplicate_of", "flags",
}  # fmt: skip


@pytest.fixture(scope="module")
def parsed():
    cache = {}

    def get(seed: str):
        if seed not in cache:
            cache[seed] = parse(seed_path(seed))
        return cache[seed]

    return get


def _gold(seed: str) -> dict:
    return json.loads((GOLD / f"{seed}.json").read_text(encoding="utf-8"))


GOLD_SEEDS = sorted(path.stem for path in GOLD.glob("*.json"))


def test_every_sample_plan_has_gold():
    assert GOLD_SEEDS == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("seed", GOLD_SEEDS)
@pytest.mark.parametrize("field", ["recall", "precision", *FIELDS])
def test_hand_built_gold_is_matched_field_by_field(parsed, seed, field):
    result = parsed(seed)
    scores = score(result, _gold(seed))
    assert scores[field] >= 0.98, "\n".join(mismatches(result, _gold(seed))[:20])


def test_json_output_follows_the_contract(parsed):
    out = to_json(parsed("003"))
    assert set(out) >= {"documents", "tasks", "indicators", "warnings"}
    assert set(out["documents"][0]) >= {"title", "issuer", "date"}
    assert out["documents"][0]["date"] == "2018-06-29"
    for task in out["tasks"]:
        assert set(task) >= CONTRACT_TASK_KEYS
        assert set(task["problem"]) == {"number", "title", "path"}
        assert set(task["deadline"]) == {"raw", "due", "immediate", "ongoing"}
    json.dumps(out, ensure_ascii=False)


def test_task_spans_index_the_original_text_even_with_pinyin_and_traditional(parsed):
    result = parsed("004")
    task = next(t for t in result.tasks if t.text.startswith("配合区水务局"))
    source = result.text[task.span[0] : task.span[1]]
    # The verbatim original: traditional characters with their scraped pinyin.
    assert source.startswith("配合區(qū)水務(wù)局")
    assert source.endswith("提升工作")
    inline = parsed("003").tasks[0]
    assert parsed("003").text[inline.span[0] : inline.span[1]] == inline.text


def test_inline_task_keeps_its_problem_heading_and_path(parsed):
    task = next(t for t in parsed("003").tasks if t.text.startswith("习近平总书记每次"))
    assert task.problem.number == "1"
    assert task.problem.title == "坚决扛起生态文明建设政治责任"
    assert task.problem.path[-1].startswith("(一)坚决贯彻落实党中央决策部署")


def test_compilation_is_split_into_its_plans(parsed):
    docs = parsed("004").documents
    assert len(docs) == 22
    assert docs[17].title is not None and docs[17].title.endswith("篇十八")


def test_repeated_plan_is_marked_duplicate_and_points_to_the_first(parsed):
    tasks = parsed("004").tasks
    repeated = [t for t in tasks if t.document == 20]
    assert repeated and all(t.duplicate_of is not None for t in repeated)
    firsts = {t.seq: t for t in tasks}
    assert all(firsts[t.duplicate_of].document == 17 for t in repeated)
    assert all(t.duplicate_of is None for t in tasks if t.document == 17)


def test_missing_fields_are_flagged_with_a_reason(parsed):
    tasks = parsed("004").tasks
    no_unit = next(t for t in tasks if t.text.startswith("一是认真落实上级"))
    assert any(f.startswith("missing_lead_units") for f in no_unit.flags)
    assert any(f.startswith("placeholder_persons") for f in no_unit.flags)
    no_deadline = next(t for t in tasks if t.text.startswith("成立工作专班"))
    assert any(f.startswith("missing_deadline") for f in no_deadline.flags)


@pytest.mark.parametrize("seed", ["000", "001", "002"])
def test_narrative_plan_yields_numbered_measures_with_empty_fields_flagged(parsed, seed):
    result = parsed(seed)
    assert len(result.tasks) >= 10
    assert all(t.layout == "narrative" for t in result.tasks)
    for task in result.tasks:
        # Units only where the measure's own sentences name them (各区政府负责组织摸排…).
        flagged = any(f.startswith("missing_lead_units") for f in task.flags)
        assert flagged != bool(task.lead_units)
        # A deadline is either missing or read from the measure's own sentence.
        assert any(f.startswith(("missing_deadline", "deadline_from_text")) for f in task.flags)


def test_narrative_plan_skips_guiding_sections(parsed):
    titles = [t.problem.title for t in parsed("002").tasks]
    assert "系统谋划“十四五”生态环境保护工作" in titles
    assert not any("指导思想" in p for t in parsed("001").tasks for p in t.problem.path)


def test_paragraphs_left_out_of_a_structured_plan_are_reported(parsed):
    assert any("carry no fields" in w for w in parsed("004").warnings)


def test_indicators_are_found_with_original_spans(parsed):
    result = parsed("003")
    found = [i for i in result.indicators if "污水集中处理率" in i.name]
    assert found and found[0].value == 98.0
    assert "98%" in result.text[found[0].span[0] : found[0].span[1]]


def test_context_year_dates_a_bare_year_end():
    result = parse(
        "1.开展排查。(责任单位:县环保局;完成时限:年底前)".encode(), ParseContext(year=2024)
    )
    assert result.tasks[0].deadline.due is not None
    assert result.tasks[0].deadline.due.isoformat() == "2024-12-31"


def test_importing_the_parser_does_not_import_django():
    code = (
        "import sys, closeout.ingest.parse, closeout.ingest.bench; print('django' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_document_titles_skip_breadcrumbs_and_a_website_is_not_the_issuer(seed_text):
    guangzhou = parse(seed_text("002").encode(), ParseContext(name="002.txt")).documents[0]
    assert guangzhou.title == "2021年广州市生态环境工作要点"
    jinan = parse(seed_text("003").encode(), ParseContext(name="003.txt")).documents[0]
    assert jinan.title == "济南市贯彻落实中央环境保护督察组督察反馈意见整改落实实施方案"
    assert jinan.issuer is None  # "信息来源:济南市政府门户网站" is the publishing website
    stated = parse("发布机构:湖州市人民政府\n湖州市整改方案\n".encode(), ParseContext(name="x.txt"))
    assert stated.documents[0].issuer == "湖州市人民政府"


@pytest.mark.parametrize(
    ("item", "due", "task_text"),
    [
        (
            "（二）2024年\n11月30日前，完成南乐县农村黑臭水体排查(市生态环境局牵头)。",
            "2024-11-30",
            "(二)2024年11月30日前,完成南乐县农村黑臭水体排查",
        ),
        (
            "(二)2025年6月\n30日前，完成城区管网改造(县住房和城乡建设局负责)。",
            "2025-06-30",
            "(二)2025年6月30日前,完成城区管网改造",
        ),
        (
            "2.二〇二五年\n三月底前，完成尾矿库闭库(州应急管理局负责)。",
            "2025-03-31",
            "2.二〇二五年三月底前,完成尾矿库闭库",
        ),
    ],
)
def test_an_item_whose_date_is_broken_over_two_lines_is_one_task(item, due, task_text):
    first = "（一）2024年6月底前，完成排污口排查(市生态环境局负责)。"
    text = f"某市整改方案\n\n{first}\n\n{item}\n"
    tasks = parse(text.encode("utf-8"), ParseContext(name="plan.txt")).tasks
    assert len(tasks) == 2
    # The marker's line and the next are one item, its date whole.
    assert tasks[1].text == task_text
    assert tasks[1].deadline.due.isoformat() == due
