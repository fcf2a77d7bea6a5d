"""Every field of every task keeps the span(s) of the original text it was read from
(``closeout.ingest.spans``), on the sample plans and the layout corpus alike."""

from __future__ import annotations

import re

import pytest

from closeout.ingest import normalise, parse
from closeout.ingest.bench import canonical, corpus_documents
from closeout.ingest.result import to_json
from closeout.ingest.tests.conftest import SEEDS

UNIT_FIELDS = (
    "lead_units", "coop_units", "persons", "supervising_units", "coop_supervising_units",
    "supervising_leaders", "verifying_units",
)  # fmt: skip
TEXT_FIELDS = ("text", "target", "completion", "progress_text")
_KEY_DROP = re.compile(r"[^\w]|_")
SOURCES = [*sorted(SEEDS.glob("*.txt")), *(d.path for d in corpus_documents())]


def _form(text: str) -> str:
    """The normalised comparison: the analysis form without whitespace."""
    return canonical(normalise(text).text)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _values(task: dict) -> dict[str, list[str]]:
    """Each field of a task with a value, as the strings its spans must show."""
    out: dict[str, list[str]] = {}
    for name in UNIT_FIELDS:
        if task[name]:
            out[name] = list(task[name])
    for name in TEXT_FIELDS:
        if task[name]:
            out[name] = [task[name]]
    if task["problem"]["title"]:
        out["problem"] = [task["problem"]["title"]]
    if task["measures"]:
        out["measures"] = list(task["measures"])
    if task["deadline"]["raw"] is not None:
        out["deadline"] = [task["deadline"]["raw"]]
    return out


def _shown(name: str, value: str, source: str) -> bool:
    """Whether the spans' text ``source`` states ``value``. A unit list is expanded
    (区委宣传部、组织部 → 区委组织部; 济阳县、长清区党委、政府 → 长清区党委), so a unit
    name need only share most of its character pairs with the source."""
    value = canonical(value)  # already the analysis form (t2s twice is not t2s: 坏 → 坯)
    if value in source:
        return True
    if name in UNIT_FIELDS:
        grams = _bigrams(value)
        return bool(grams) and len(grams & _bigrams(source)) >= 0.6 * len(grams)
    if name == "text":  # a heading's title and its body make one text ("…方式认真落实…")
        return _KEY_DROP.sub("", value) in _KEY_DROP.sub("", source)
    if name == "deadline":  # several stated stages ("2024年底前…;2025年6月底前…")
        return all(part in source for part in value.split(";"))
    return False


@pytest.fixture(scope="module", params=SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def parsed(request):
    result = parse(request.param)
    return result.text, to_json(result)


def test_every_field_with_a_value_has_spans_stating_it(parsed):
    text, out = parsed
    assert out["tasks"]
    for task in out["tasks"]:
        spans = task["spans"]
        for name, values in _values(task).items():
            where = f"task {task['seq']} {name} {values!r}"
            assert spans.get(name), f"{where}: no span"
            for s, e in spans[name]:
                assert 0 <= s < e <= len(text), f"{where}: span {s, e} outside the text"
            source = "".join(_form(text[s:e]) for s, e in spans[name])
            if name == "measures":  # one span per measure, in order
                assert len(spans[name]) == len(values), where
                for value, (s, e) in zip(values, spans[name], strict=True):
                    assert _shown("text", value, _form(text[s:e])), f"{where}: {text[s:e]!r}"
                continue
            missing = [v for v in values if not _shown(name, v, source)]
            assert not missing, f"{where}: {missing} not in {source[:300]!r}"


def test_a_field_without_a_value_has_no_span_and_is_flagged(parsed):
    _text, out = parsed
    for task in out["tasks"]:
        keys = set(_values(task)) | {"implementing_units", "standing_units"}
        assert set(task["spans"]) <= keys, task["seq"]
        if not task["lead_units"]:
            assert "lead_units" not in task["spans"]
            assert any(f.startswith(("missing_lead_units", "placeholder_lead_units"))
                       for f in task["flags"]), task["seq"]  # fmt: skip
        if task["deadline"]["raw"] is None:
            assert "deadline" not in task["spans"]
            assert any(f.startswith("missing_deadline") for f in task["flags"]), task["seq"]


def test_standing_clause_units_keep_the_clause_span():
    text = (
        "关于整改的实施方案\n以下各项工作均需各县(区)人民政府落实,不再列出。\n"
        "一、水污染问题\n1.完成河道清淤(市水务局牵头,2024年底前完成)。\n"
    )
    task = to_json(parse(text.encode("utf-8"), None))["tasks"][0]
    clause = text.index("以下各项")
    [standing] = task["spans"]["standing_units"]
    assert text[standing[0] : standing[1]].startswith("以下各项工作均需各县(区)人民政府落实")
    assert standing[0] == clause
    assert standing in task["spans"]["lead_units"]
    lead = [text[s:e] for s, e in task["spans"]["lead_units"]]
    assert "市水务局" in lead
    assert any(f.startswith("standing_units") for f in task["flags"])


def test_spans_of_a_traditional_page_with_pinyin_index_its_verbatim_text():
    result = parse(next(SEEDS.glob("004_*.txt")))
    task = next(t for t in result.tasks if t.text.startswith("配合区水务局"))
    s, e = task.spans["lead_units"][0]
    # The verbatim original, traditional characters and their scraped pinyin included.
    assert "(" in result.text[s:e] and result.text[s:e] != normalise(result.text[s:e]).text
    assert canonical(task.lead_units[0].name) in _form(result.text[s:e])


def test_a_ledger_rows_fields_have_their_cells_in_the_rows_line():
    from closeout.ingest.result import ParseContext
    from closeout.ingest.tests.ledgerbooks import ledger_workbook

    result = parse(ledger_workbook(), ParseContext(name="台账.xlsx"))
    tasks = to_json(result)["tasks"]
    for task in tasks:
        spans = task["spans"]
        assert set(spans) == set(_values(task)), task["seq"]
        row = task["span"]
        for name, values in _values(task).items():
            source = "".join(_form(result.text[s:e]) for s, e in spans[name])
            assert all(_shown(name, v, source) for v in values), (task["seq"], name, source)
            if name not in ("problem", "target"):  # those may be a problem row's above
                assert all(row[0] <= s < e <= row[1] for s, e in spans[name]), name
    s, e = tasks[0]["spans"]["lead_units"][0]
    assert result.text[s:e] == "市环保局"


def test_a_ledger_row_under_a_problem_row_has_that_rows_problem_cell():
    from closeout.ingest.result import ParseContext
    from closeout.ingest.tests.ledgerbooks import plain_workbook

    rows = [
        ["序号", "问题", "整改措施", "责任单位", "整改时限"],
        ["1", "秸秆露天焚烧屡禁不止", None, None, None],
        ["1.1", None, "划定禁烧区", "市农业局", "2019年10月"],
        ["1.2", None, "开展巡查", "市环保局", "长期坚持"],
    ]
    result = parse(plain_workbook(("台账", rows)), ParseContext(name="台账.xlsx"))
    first, second = result.tasks
    assert first.spans["problem"] == second.spans["problem"]
    [(s, e)] = first.spans["problem"]
    assert result.text[s:e] == "秸秆露天焚烧屡禁不止" and s < first.span[0]
    [(s, e)] = second.spans["lead_units"]
    assert result.text[s:e] == "市环保局"
