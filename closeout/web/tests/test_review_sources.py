"""Where each field of a draft task was read, on the review page: the task's source with
the field's words marked, and the fields read elsewhere (a standing clause) quoted and
labelled as such (display.task_source; the selector's one query for the page)."""

from __future__ import annotations

import re

from django.urls import reverse

from closeout.ledger import services
from closeout.ledger.models import Task
from closeout.ledger.selectors.review import stored_spans
from closeout.web.display import SourcePiece, task_source

PLAN = """济南市水源保护整改方案
以下各项工作均需各区县人民政府落实,不再列出。
一、水源地保护问题突出
1.清理饮用水水源保护区违法建筑。(责任单位:市生态环境局、市水务局;整改时限:2019年底)
2.开展水源地规范化建设。(市生态环境局牵头,市水务局配合,立行立改)
"""


def test_the_fields_words_are_marked_in_the_excerpt():
    source = task_source(
        "1.清理违法建筑。(市水务局牵头,2019年底)",
        100,
        109,
        {"lead_units": [(110, 114)], "deadline": [(117, 123)], "text": [(100, 109)]},
    )
    marked = [(p.text, p.fields) for p in source.excerpt if p.fields]
    assert marked == [("市水务局", ("lead_units",)), ("2019年底", ("deadline",))]
    assert "".join(p.text for p in source.excerpt) == "1.清理违法建筑。(市水务局牵头,2019年底)"
    assert not source.elsewhere and not source.cut


def test_overlapping_fields_mark_their_common_words_with_both():
    source = task_source("ABCDEF", 0, 6, {"lead_units": [(1, 4)], "coop_units": [(3, 5)]})
    assert source.excerpt == [
        SourcePiece("A"),
        SourcePiece("BC", ("lead_units",)),
        SourcePiece("D", ("lead_units", "coop_units")),
        SourcePiece("E", ("coop_units",)),
        SourcePiece("F"),
    ]
    assert source.excerpt[2].field_names == "lead_units coop_units"


def test_a_standing_clause_and_a_span_past_the_excerpt_are_quoted_apart():
    clause = (10, 30)
    source = task_source(
        "0123456789",
        50,
        80,
        {"lead_units": [clause, (52, 54)], "standing_units": [clause], "deadline": [(70, 75)],
         "problem": [(40, 45)]},
        {clause: "以下各项工作均需各区县人民政府落实", (70, 75): "年底前完成",
         (40, 45): "水源地保护"},
    )  # fmt: skip
    assert source.problem == "水源地保护"  # on the problem's heading, not in the list
    assert [p.fields for p in source.excerpt if p.fields] == [("lead_units",)]
    assert [(f.field, f.text, f.standing) for f in source.elsewhere] == [
        ("lead_units", "以下各项工作均需各区县人民政府落实", True),
        ("deadline", "年底前完成", False),
    ]
    assert source.cut  # the task goes on after the ten characters shown


def test_a_field_spanning_the_whole_task_marks_nothing_and_implementing_units_once():
    # An Excel row's fields all have the row's line; a bracket's 负责落实 units are
    # among the lead units' spans too, and are shown under their own label.
    source = task_source(
        "abcdefgh",
        0,
        8,
        {"lead_units": [(0, 8), (2, 4)], "deadline": [(0, 8)], "implementing_units": [(2, 4)]},
    )
    assert [(p.text, p.fields) for p in source.excerpt if p.fields] == [
        ("cd", ("implementing_units",))
    ]


def test_stored_spans_leave_out_what_is_malformed():
    task = Task(source_spans={"lead_units": [[1, 3], [5, 2], ["a", 1], [1, 2, 3]],
                              "deadline": "x", "problem": [[0, 4]]})  # fmt: skip
    assert stored_spans(task) == {"lead_units": [(1, 3)], "problem": [(0, 4)]}
    assert stored_spans(Task(source_spans=[])) == {}


def test_the_review_page_marks_each_fields_words_and_quotes_the_standing_clause(client, world):
    plan = services.plan_import(world.actor("office"), data=PLAN.encode(), name="p.txt").plan
    first = Task.objects.get(plan=plan, seq=1)
    assert set(first.source_spans) >= {"lead_units", "deadline", "standing_units", "text"}
    client.force_login(world.users["office"])
    html = client.get(reverse("web:plan_review", args=[plan.pk])).content.decode()
    rows = re.findall(r'data-testid="review-task".*?</section>', html, re.S)
    assert len(rows) == 2
    marks = [re.findall(r'<mark data-field="([^"]+)"[^>]*>([^<]*)</mark>', row) for row in rows]
    assert ("lead_units", "市生态环境局、市水务局") in marks[0]
    assert ("deadline", "2019年底") in marks[0]
    assert ("lead_units", "市生态环境局") in marks[1] and ("coop_units", "市水务局") in marks[1]
    assert ("deadline", "立行立改") in marks[1]
    for row in rows:  # the units the standing clause gave, with the clause's words
        standing = re.search(r'<li data-field="lead_units" data-standing="1">(.*?)</li>', row)
        assert standing is not None
        assert "以下各项工作均需各区县人民政府落实" in standing.group(1)
        assert "来自方案的统一责任条款" in standing.group(1)  # "from the plan's standing clause"


def test_a_task_without_spans_shows_its_source_unmarked(client, world):
    plan = services.plan_import(world.actor("office"), data=PLAN.encode(), name="p.txt").plan
    Task.objects.filter(plan=plan).update(source_spans={})
    client.force_login(world.users["office"])
    html = client.get(reverse("web:plan_review", args=[plan.pk])).content.decode()
    assert html.count('data-testid="source"') == 2 and "<mark" not in html
    assert "清理饮用水水源保护区违法建筑" in html


def test_a_ledger_rows_cells_are_marked_in_its_line(client, world):
    from closeout.ingest.tests.ledgerbooks import ledger_workbook

    office = world.actor("office")
    plan = services.plan_import(office, data=ledger_workbook(), name="台账.xlsx").plan
    client.force_login(world.users["office"])
    html = client.get(reverse("web:plan_review", args=[plan.pk])).content.decode()
    first = re.findall(r'data-testid="review-task".*?</section>', html, re.S)[0]
    assert "大气 第6行: " in first
    marks = re.findall(r'<mark data-field="([^"]+)"[^>]*>([^<]*)</mark>', first)
    assert ("lead_units", "市环保局") in marks and ("deadline", "2019年底") in marks
    assert ("coop_units", "市公安局") in marks
