"""Tables in every form (layout family 6): Word, HTML and flattened text, written here
as offices write them; columns are known by their header words, never by position."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeout.ingest.parse import parse
from closeout.ingest.result import ParseContext, ParseResult, to_json
from closeout.ingest.source import ReadError, TextBuilder
from closeout.ingest.tables import header, table_drafts


def _names(parties) -> list[str]:
    return [p.name for p in parties]


def _due(task) -> str | None:
    return task.deadline.due.isoformat() if task.deadline.due else None


def _merged_docx() -> bytes:
    """A county ledger: title row across the table, a two-row header (责任单位 over
    牵头单位/配合单位, the others merged down), one problem merged over two tasks."""
    import docx

    document = docx.Document()
    document.add_paragraph("附件1")
    table = document.add_table(rows=6, cols=7)
    table.cell(0, 0).merge(table.cell(0, 6)).text = "蓝田县第二轮督察反馈问题整改台账"
    for col, word in (
        (0, "序号"),
        (1, "存在问题"),
        (2, "整改措施"),
        (5, "完成时限"),
        (6, "责任人"),
    ):
        table.cell(1, col).merge(table.cell(2, col)).text = word
    table.cell(1, 3).merge(table.cell(1, 4)).text = "责任单位"
    table.cell(2, 3).text = "牵头单位"
    table.cell(2, 4).text = "配合单位"
    table.cell(3, 0).merge(table.cell(4, 0)).text = "1"
    table.cell(3, 1).merge(table.cell(4, 1)).text = "灞河沿岸砂石料场扬尘污染问题突出"
    rows = [
        ["对砂石料场全面排查,建立清单", "县自然资源局", "县生态环境分局、各镇人民政府",
         "2024年6月底前", "县自然资源局局长"],
        ["依法关停无证料场并复绿", "县水务局", "", "2024年12月31日", ""],
    ]  # fmt: skip
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=2):
            table.cell(r, c).text = value
    table.cell(5, 0).text = "2"
    table.cell(5, 1).text = "城区餐饮油烟扰民"
    table.cell(5, 2).text = "安装油烟净化设施"
    table.cell(5, 3).text = "县城管局"
    table.cell(5, 5).text = "立即整改"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def merged() -> ParseResult:
    return parse(_merged_docx(), ParseContext(name="ledger.docx"))


def test_word_table_with_two_row_header_reads_lead_and_cooperating_columns(merged):
    first, second, third = merged.tasks
    assert first.text == "对砂石料场全面排查,建立清单"
    assert _names(first.lead_units) == ["县自然资源局"]
    assert _names(first.coop_units) == ["县生态环境分局", "各镇人民政府"]
    assert _names(first.persons) == ["县自然资源局局长"]
    assert _due(first) == "2024-06-30"
    assert _names(second.lead_units) == ["县水务局"] and second.coop_units == ()
    assert third.deadline.immediate and _names(third.lead_units) == ["县城管局"]


def test_a_problem_merged_over_its_tasks_is_every_task_s_problem(merged):
    first, second, third = merged.tasks
    assert first.problem.title == second.problem.title == "灞河沿岸砂石料场扬尘污染问题突出"
    assert first.problem.number == second.problem.number == "1"
    assert third.problem.title == "城区餐饮油烟扰民" and third.problem.number == "2"
    assert all(t.layout == "table" for t in merged.tasks)


def test_merged_cells_are_written_once_and_every_field_keeps_its_cell(merged):
    assert merged.text.count("灞河沿岸砂石料场扬尘污染问题突出") == 1
    second = merged.tasks[1]
    span = merged.text[second.span[0] : second.span[1]]
    assert span.startswith("依法关停") and "县水务局" in span
    (table,) = parse_source(_merged_docx()).tables
    drafts = table_drafts(table)
    assert drafts is not None
    lead = drafts[1].fields["lead_units"]
    assert merged.text[lead.start : lead.end] == "县水务局"
    assert merged.text[drafts[1].start : drafts[1].end] == span


def parse_source(data: bytes):
    from closeout.ingest.read import read
    from closeout.ingest.source import ReadContext

    return read(data, ReadContext(name="ledger.docx"))


NAV_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>清源市人民政府</title></head>
<body><table width="1000"><tr><td>
<table class="t1"><tr><td><a href="/">首页</a></td><td><a href="/zw">政务公开</a></td>
<td><a href="/hd">互动交流</a></td><td><a href="/fw">办事服务</a></td></tr></table>
</td></tr><tr><td>
<p>清源市中央生态环境保护督察反馈问题整改清单</p>
<table border="1">
<tr><th rowspan="2">序号</th><th rowspan="2">反馈问题</th><th rowspan="2">整改目标</th>
<th rowspan="2">具体措施</th><th colspan="2">责任单位</th><th rowspan="2">时间节点</th></tr>
<tr><th>牵头单位</th><th>协办单位</th></tr>
<tr><td rowspan="2">1</td><td rowspan="2">城市黑臭水体反弹</td><td rowspan="2">消除黑臭</td>
<td>开展黑臭水体排查<br>建立整治台账</td><td>市住房和城乡建设局</td><td>市水务局</td>
<td>2023年9月底前</td></tr>
<tr><td>完成截污纳管工程</td><td>各区人民政府</td><td></td><td>2024年6月底前</td></tr>
<tr><td>2</td><td>秸秆露天焚烧</td><td></td><td>落实网格化监管</td><td>市农业农村局</td>
<td>市生态环境局<br/>各乡镇</td><td>持续推进</td></tr>
</table>
<p>二、保障措施</p></td></tr></table>
<div class="footer">主办:清源市人民政府办公室</div></body></html>"""


def test_html_table_with_rowspan_and_colspan_inside_page_layout():
    result = parse(NAV_PAGE.encode("utf-8"), ParseContext(name="page.html"))
    assert "首页" not in result.text  # the menu is navigation, not a table of tasks
    assert not [w for w in result.warnings if "table" in w]
    first, second, third = result.tasks
    assert first.text == "开展黑臭水体排查 建立整治台账" and first.target == "消除黑臭"
    assert second.problem.title == "城市黑臭水体反弹" and second.target == "消除黑臭"
    assert _names(first.coop_units) == ["市水务局"]
    assert second.lead_units[0].collective and second.coop_units == ()
    assert _due(second) == "2024-06-30"
    assert third.deadline.ongoing and third.target is None
    assert _names(third.coop_units) == ["市生态环境局", "各乡镇"]  # a line each in the cell
    assert result.text[third.span[0] : third.span[1]].startswith("2\t秸秆露天焚烧")


PIPES = """东川区督察反馈问题整改清单
| 序号 | 问题 | 整改目标 | 整改措施 | 责任单位 | 整改时限 |
|---|---|---|---|---|---|
| 1 | 建筑工地扬尘管控不到位 | 扬尘投诉下降 | 安装视频监控 | 区住建局 | 2024年3月底前 |
| | | | 开展联合执法检查 | 区城管局 | 2024年6月底前 |
| 2 | 污水处理厂超负荷运行 | 稳定达标 | 实施扩容改造 | 区水务局 | 2025年12月底前 |
"""


def _variants() -> list[str]:
    lines = PIPES.splitlines()
    no_outer = [lines[0]] + [line.strip().strip("|") for line in lines[1:]]
    tabs = [lines[0]] + [
        "\t".join(c.strip() for c in line.strip().strip("|").split("|"))
        for line in lines[1:]
        if "---" not in line
    ]
    full = PIPES.replace("|", "|")
    return [PIPES, "\n".join(no_outer) + "\n", "\n".join(tabs) + "\n", full]


@pytest.mark.parametrize("text", _variants(), ids=["pipes", "no-outer", "tabs", "full-width"])
def test_a_table_flattened_to_text_reads_like_the_table(text):
    result = parse(text.encode("utf-8"), ParseContext(name="list.txt"))
    assert [t.text for t in result.tasks] == ["安装视频监控", "开展联合执法检查", "实施扩容改造"]
    first, second, third = result.tasks
    assert second.problem.title == "建筑工地扬尘管控不到位"  # an empty cell under a problem
    assert second.target == "扬尘投诉下降"
    assert _names(second.lead_units) == ["区城管局"] and _due(second) == "2024-06-30"
    assert third.problem.number == "2" and _due(third) == "2025-12-31"
    assert result.text[first.span[0] : first.span[1]].strip(" |").startswith("1")
    assert all(t.layout == "table" for t in result.tasks)


def test_a_table_without_header_words_is_not_tasks_and_is_reported():
    text = (
        "一、工作安排\n| 阶段 | 时间 | 内容 |\n| 动员部署 | 3月 | 召开会议 |\n"
        "| 集中整治 | 4月 | 排查 |\n"
    )
    result = parse(text.encode("utf-8"), ParseContext(name="x.txt"))
    assert not [t for t in result.tasks if t.layout == "table"]
    assert any("no header row" in w for w in result.warnings)
    builder = TextBuilder()
    builder.table([["阶段", "时间"], ["动员", "3月"]])
    assert header(builder.tables[0]) is None and table_drafts(builder.tables[0]) is None


def _table(rows: list[list[str]]):
    builder = TextBuilder()
    builder.table(rows)  # type: ignore[arg-type]
    return builder.tables[0]


@pytest.mark.parametrize(
    ("words", "fields"),
    [
        (["序号", "问题描述", "工作任务", "主体责任单位", "协办单位", "完成时限"],
         ["number", "problem", "measures", "lead_units", "coop_units", "deadline"]),
        (["督导单位", "责任领导", "整改进展", "完成情况", "验收销号单位", "反馈问题"],
         ["supervising_units", "persons", "progress", "completion", "verifying_units",
          "problem"]),
        (["整改任务", "整改措施", "牵头单位", "责任单位", "整改时限"],
         ["problem", "measures", "lead_units", "coop_units", "deadline"]),
        (["问 题", "整改\n措施", "责任单位", "备注"],
         ["problem", "measures", "lead_units", None]),
        (["时间要求", "主要责任人", "整改举措", "问题代码", "序号", "具体问题", "配合部门"],
         ["deadline", "persons", "measures", "number", "sequence", "problem", "coop_units"]),
        (["序号", "清单编号", "交办问题", "整改措施", "责任单位"],
         ["sequence", "number", "problem", "measures", "lead_units"]),
    ],
)  # fmt: skip
def test_header_words_name_the_columns(words, fields):
    found = header(_table([words, ["x"] * len(words)]))
    assert found is not None
    assert [found[1].get(c) for c in range(len(words))] == fields


def test_section_rows_head_the_rows_below_them():
    rows = [
        ["序号", "问题", "整改措施", "责任单位"],
        ["一、大气污染防治", "一、大气污染防治", "一、大气污染防治", "一、大气污染防治"],
        ["1", "燃煤锅炉未淘汰", "淘汰10蒸吨以下锅炉", "市生态环境局"],
        ["二、水污染防治", "", "", ""],
        ["2", "入河排污口未整治", "完成排污口溯源", "市水务局"],
    ]
    builder = TextBuilder()
    builder.table([rows[0], [rows[1][0], (1, 0), (1, 0), (1, 0)], *rows[2:]])
    drafts = table_drafts(builder.tables[0])
    assert drafts is not None
    assert [(d.path, d.text) for d in drafts] == [
        (("一、大气污染防治",), "淘汰10蒸吨以下锅炉"),
        (("二、水污染防治",), "完成排污口溯源"),
    ]


def test_progress_completion_and_verifying_columns_reach_the_task_json():
    text = (
        "序号\t反馈问题\t整改措施\t责任单位\t整改时限\t整改进展\t完成情况\t验收销号单位\n"
        "1\t矿山未复绿\t完成复绿120亩\t县自然资源局\t2023年底\t已完成复绿\t已完成\t市自然资源局\n"
    )
    result = parse(text.encode("utf-8"), ParseContext(name="x.txt"))
    (task,) = to_json(result)["tasks"]  # type: ignore[misc]
    assert task["progress_text"] == "已完成复绿" and task["completion"] == "已完成"
    assert task["verifying_units"] == ["市自然资源局"]


def test_a_repeated_header_row_after_a_page_break_is_skipped():
    rows = [
        ["序号", "问题", "整改措施", "责任单位", "整改时限"],
        ["1", "A问题", "措施甲", "市水务局", "2024年底"],
        ["序号", "问题", "整改措施", "责任单位", "整改时限"],
        ["2", "B问题", "措施乙", "市城管局", "2025年底"],
    ]
    drafts = table_drafts(_table(rows))
    assert drafts is not None and [d.text for d in drafts] == ["措施甲", "措施乙"]


HEAD = ["序号", "反馈问题", "整改目标", "整改措施", "牵头单位", "配合单位", "责任人", "完成时限"]
BODY = [
    ["1", "饮用水源地保护区内有违建", "违建全部拆除", "拆除违建并复绿", "县水利局",
     "县自然资源局", "县水利局局长", "2024年6月底前"],
    ["", "", "", "设立界标和隔离网", "县水利局", "", "", "2024年9月底前"],
    ["2", "畜禽养殖粪污直排", "粪污综合利用率达到90%", "配套粪污处理设施",
     "县农业农村局", "各乡镇人民政府", "县农业农村局局长", "立即整改,长期坚持"],
]  # fmt: skip


def _read(rows: list[list[str]]) -> list[dict[str, object]]:
    text = "某县整改清单\n" + "\n".join(" | ".join(row) for row in rows) + "\n"
    tasks = to_json(parse(text.encode("utf-8"), ParseContext(name="x.txt")))["tasks"]
    keep = ("problem", "text", "target", "lead_units", "coop_units", "persons", "deadline")
    return [{k: t[k] for k in keep} for t in tasks]  # type: ignore[index, union-attr]


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(len(HEAD))))
def test_reordering_a_table_s_columns_does_not_change_the_tasks(order):
    def reorder(row: list[str]) -> list[str]:
        return [row[c] for c in order]

    expected = _read([HEAD, *BODY])
    assert len(expected) == 3 and expected[1]["problem"]["title"] == "饮用水源地保护区内有违建"  # type: ignore[index]
    assert _read([reorder(HEAD), *map(reorder, BODY)]) == expected


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(HEAD))))
def test_reordering_a_word_table_s_columns_does_not_change_the_tasks(order):
    import docx

    def tasks(columns: list[int]) -> list[tuple]:
        document = docx.Document()
        table = document.add_table(rows=len(BODY) + 1, cols=len(HEAD))
        for r, row in enumerate([HEAD, *BODY]):
            for c, col in enumerate(columns):
                table.cell(r, c).text = row[col]
        buffer = io.BytesIO()
        document.save(buffer)
        result = parse(buffer.getvalue(), ParseContext(name="t.docx"))
        return [
            (t.problem.title, t.text, t.target, _names(t.lead_units), _names(t.coop_units),
             _names(t.persons), t.deadline.as_json())
            for t in result.tasks
        ]  # fmt: skip

    assert tasks(list(order)) == tasks(list(range(len(HEAD))))


_WORDS = st.sampled_from(["序号", "问题", "整改措施", "责任单位", "配合单位", "整改时限", "", "x"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(_WORDS | st.text(max_size=6), min_size=1, max_size=6), max_size=6),
    st.sampled_from([" | ", "\t", "|", "｜", "│", "  ", "　　"]),
)
def test_any_flattened_rows_give_tasks_inside_the_text_or_none(rows, sep):
    text = "\n".join(sep.join(row) for row in rows)
    try:
        result = parse(text.encode("utf-8"), ParseContext(name="x.txt"))
    except ReadError:
        return  # control characters are not text: the reader refuses them, as it should
    for task in result.tasks:
        assert 0 <= task.span[0] <= task.span[1] <= len(result.text)


# A two-row header flattened to text: the merged 责任单位 leaves an empty cell after it in
# the first row, the cells merged down leave empty ones in the second.
TWO_ROW_HEAD = [
    ["序号", "整改任务", "整改措施", "责任单位", "", "整改时限"],
    ["", "", "", "牵头单位", "配合单位", ""],
]
TWO_ROW_BODY = [
    ["1", "农业面源污染防治不到位", "建成10个生态沟渠示范点", "市农业农村局",
     "市生态环境局、水利局", "2024年12月31日"],
    ["2", "", "推广测土配方施肥", "市农业农村局", "", "长期坚持"],
    ["3", "餐饮油烟扰民", "安装油烟净化设施", "临川区人民政府", "市城市管理局", "立即整改"],
]  # fmt: skip


def _flat(rows: list[list[str]], sep: str, title: str = "某市整改任务表") -> bytes:
    return (title + "\n\n" + "\n".join(sep.join(row) for row in rows) + "\n").encode("utf-8")


@pytest.mark.parametrize("sep", ["\t", " | ", "|", "｜", " ｜ "])
def test_a_flattened_two_row_header_splits_the_unit_column(sep):
    result = parse(_flat([*TWO_ROW_HEAD, *TWO_ROW_BODY], sep), ParseContext(name="x.txt"))
    assert [t.text for t in result.tasks] == ["建成10个生态沟渠示范点", "推广测土配方施肥",
                                              "安装油烟净化设施"]  # fmt: skip
    first, second, third = result.tasks
    assert first.problem.title == "农业面源污染防治不到位"  # 整改任务 beside 整改措施
    assert _names(first.lead_units) == ["市农业农村局"]
    assert _names(first.coop_units) == ["市生态环境局", "市水利局"]
    assert second.coop_units == () and second.deadline.ongoing
    assert _names(third.coop_units) == ["市城市管理局"] and third.deadline.immediate


# Section rows inside a flattened table: their other cells empty, or dropped altogether.
SECTIONED = [
    ["序号", "完成时限", "存在问题", "整改措施", "配合单位", "牵头单位", "责任人"],
    ["一、煤炭行业污染"],
    ["1", "2024年9月底前", "煤矸石山自燃冒烟", "完成煤矸石山综合治理", "市应急管理局",
     "市自然资源局", "王某某"],
    ["二、大气污染"],
    ["2", "每年11月至次年3月", "冬季燃煤污染", "开展燃煤锅炉执法检查", "市市场监督管理局",
     "市生态环境局", "张某某"],
]  # fmt: skip


def _sectioned(sep: str, outer: bool, drop: bool) -> bytes:
    width = len(SECTIONED[0])
    lines = []
    for row in SECTIONED:
        cells = row if drop else row + [""] * (width - len(row))
        line = sep.join(cells)
        lines.append(f"{sep}{line}{sep}" if outer and len(cells) > 1 else line)
    return ("七台河市整改清单\n\n" + "\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    ("sep", "outer", "drop"),
    [(" | ", False, False), (" | ", True, False), ("|", True, False), ("｜", False, False),
     ("\t", False, False), ("\t", False, True), (" | ", False, True), ("│", True, False)],
)  # fmt: skip
def test_section_rows_of_a_flattened_table_head_the_rows_below(sep, outer, drop):
    result = parse(_sectioned(sep, outer, drop), ParseContext(name="x.txt"))
    assert [(t.problem.path, t.text) for t in result.tasks] == [
        (("一、煤炭行业污染",), "完成煤矸石山综合治理"),
        (("二、大气污染",), "开展燃煤锅炉执法检查"),
    ]
    first, second = result.tasks
    assert _names(first.lead_units) == ["市自然资源局"]
    assert _names(first.coop_units) == ["市应急管理局"] and _names(first.persons) == ["王某某"]
    assert _due(first) == "2024-09-30" and second.deadline.ongoing and _due(second) is None
    assert all(t.layout == "table" for t in result.tasks)


def test_a_flattened_table_drawn_with_box_rules_reads_like_the_table():
    body = [" │ ".join(row) for row in (HEAD, *BODY)]
    rule = "├" + "┼".join("────" for _ in HEAD) + "┤"
    lines = ["┌" + "┬".join("────" for _ in HEAD) + "┐"]
    for i, row in enumerate(body):
        lines += [f"│ {row} │"] + ([rule] if i < len(body) - 1 else [])
    lines.append("└" + "┴".join("────" for _ in HEAD) + "┘")
    text = "某县整改清单\n" + "\n".join(lines) + "\n"
    tasks = to_json(parse(text.encode("utf-8"), ParseContext(name="x.txt")))["tasks"]
    keep = ("problem", "text", "target", "lead_units", "coop_units", "persons", "deadline")
    assert [{k: t[k] for k in keep} for t in tasks] == _read([HEAD, *BODY])  # type: ignore[index, union-attr]


CODED_HEAD = ["序号", "问题编号", "存在问题", "整改措施", "牵头单位", "配合单位", "责任人",
              "完成时限"]  # fmt: skip
CODED_BODY = [
    ["1", "ZG-2023-07", "煤矸石山自燃冒烟", "完成煤矸石山综合治理", "市自然资源局",
     "市应急管理局", "王某某", "2024年9月底前"],
    ["2", "ZG-2023-12", "城区冬季燃煤污染", "开展燃煤锅炉执法检查", "市生态环境局",
     "市市场监督管理局", "张某某", "每年11月至次年3月"],
    ["3", "", "", "淘汰35蒸吨以下燃煤锅炉", "市生态环境局", "市住房和城乡建设局", "张某某",
     "2024年12月31日前"],
]  # fmt: skip
_SEPARATORS = [" | ", "|", "\t", "｜", " ｜ ", "│"]


def _flat_tasks(rows: list[list[str]], sep: str = " | ", outer: bool = False) -> list[dict]:
    lines = [sep.join(row) for row in rows]
    if outer and sep != "\t":
        lines = [f"{sep}{line}{sep}".strip() for line in lines]
    text = "某县整改清单\n" + "\n".join(lines) + "\n"
    tasks = to_json(parse(text.encode("utf-8"), ParseContext(name="x.txt")))["tasks"]
    keep = ("problem", "text", "target", "lead_units", "coop_units", "persons", "deadline")
    return [{k: t[k] for k in keep} for t in tasks]  # type: ignore[index, union-attr]


@pytest.mark.parametrize("sep", _SEPARATORS)
def test_a_code_column_numbers_the_problem_and_carries_over_its_empty_cells(sep):
    tasks = _flat_tasks([CODED_HEAD, *CODED_BODY], sep)
    assert [t["text"] for t in tasks] == [row[3] for row in CODED_BODY]
    assert [t["problem"]["number"] for t in tasks] == ["ZG-2023-07", "ZG-2023-12", "ZG-2023-12"]  # type: ignore[index]
    assert tasks[2]["problem"] == tasks[1]["problem"]  # the merged problem cell, flattened
    assert tasks[2]["lead_units"] == ["市生态环境局"] and tasks[2]["persons"] == ["张某某"]
    assert not any("ZG" in str(t["text"]) for t in tasks)


def test_a_row_s_own_number_under_an_empty_problem_cell_stays_in_that_problem():
    rows = [["序号", "整改任务", "整改措施", "责任单位"],
            ["1", "农业面源污染", "建设生态沟渠", "市农业农村局"],
            ["2", "", "推广测土配方施肥", "市农业农村局"],
            ["3", "餐饮油烟扰民", "安装油烟净化设施", "市城市管理局"]]  # fmt: skip
    problems = [t["problem"] for t in _flat_tasks(rows, "\t")]
    assert problems[0] == problems[1] == {"number": "1", "title": "农业面源污染", "path": []}
    assert problems[2] == {"number": "3", "title": "餐饮油烟扰民", "path": []}


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(len(CODED_HEAD))), st.sampled_from(_SEPARATORS), st.booleans())
def test_reordering_a_flattened_table_s_columns_does_not_change_the_tasks(order, sep, outer):
    def reorder(row: list[str]) -> list[str]:
        return [row[c] for c in order]

    expected = _flat_tasks([CODED_HEAD, *CODED_BODY])
    assert len(expected) == 3 and expected[2]["problem"]["number"] == "ZG-2023-12"  # type: ignore[index]
    assert _flat_tasks([reorder(CODED_HEAD), *map(reorder, CODED_BODY)], sep, outer) == expected


def _aligned_text(rows: list[list[str]], pad: str = " ") -> str:
    """Rows laid out in columns with spaces, as a plain-text export aligns them (CJK
    characters two columns wide); an empty cell is only blank space."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    unit = 2 if pad == "　" else 1  # the ideographic space is two columns wide
    widths = [max(width(row[c]) for row in rows) + 2 * unit for c in range(len(rows[0]))]
    lines = [
        "".join(
            cell + pad * ((w - width(cell)) // unit) for cell, w in zip(row, widths, strict=True)
        )
        for row in rows
    ]
    return "某县整改清单\n\n" + "\n".join(line.rstrip() for line in lines) + "\n"


@pytest.mark.parametrize("pad", [" ", "　"])
def test_a_table_aligned_with_spaces_reads_like_the_table(pad):
    text = _aligned_text([HEAD, *BODY], pad)
    tasks = to_json(parse(text.encode("utf-8"), ParseContext(name="x.txt")))["tasks"]
    keep = ("problem", "text", "target", "lead_units", "coop_units", "persons", "deadline")
    assert [{k: t[k] for k in keep} for t in tasks] == _read([HEAD, *BODY])  # type: ignore[index, union-attr]


def test_aligned_text_without_a_header_row_is_no_table():
    text = "某县整改方案\n\n一、总体要求  坚持问题导向\n二、主要任务  完成污水管网改造\n"
    result = parse(text.encode("utf-8"), ParseContext(name="x.txt"))
    assert not [t for t in result.tasks if t.layout == "table"]
    assert not [w for w in result.warnings if "table" in w]


@settings(max_examples=30, deadline=None)
@given(st.permutations(range(len(HEAD))))
def test_reordering_an_aligned_table_s_columns_does_not_change_the_tasks(order):
    def reorder(row: list[str]) -> list[str]:
        return [row[c] for c in order]

    text = _aligned_text([reorder(HEAD), *map(reorder, BODY)])
    tasks = to_json(parse(text.encode("utf-8"), ParseContext(name="x.txt")))["tasks"]
    keep = ("problem", "text", "target", "lead_units", "coop_units", "persons", "deadline")
    assert [{k: t[k] for k in keep} for t in tasks] == _read([HEAD, *BODY])  # type: ignore[index, union-attr]


@pytest.mark.parametrize("sep", ["\t", " | ", "｜"])
@pytest.mark.parametrize(
    ("lead", "coop"), [("牵头", "配合"), ("牵头单位", "配合单位"), ("主办", "协办")]
)
def test_role_words_under_a_flattened_merged_unit_cell_split_it(sep, lead, coop):
    rows = [["序号", "问题", "整改措施", "责任单位", "", "完成时限"],
            ["", "", "", lead, coop, ""],
            ["1", "餐饮油烟扰民", "安装油烟净化设施", "临川区人民政府", "市城市管理局",
             "立即整改"]]  # fmt: skip
    (task,) = parse(_flat(rows, sep), ParseContext(name="x.txt")).tasks
    assert task.text == "安装油烟净化设施" and task.problem.title == "餐饮油烟扰民"
    assert _names(task.lead_units) == ["临川区人民政府"]
    assert _names(task.coop_units) == ["市城市管理局"]


def test_two_pieces_under_one_aligned_column_are_one_cell():
    rows = [[cell.replace("各乡镇人民政府", "各乡镇人民政府  县生态环境局") for cell in row]
            for row in (HEAD, *BODY)]  # fmt: skip
    text = _aligned_text(rows)
    tasks = to_json(parse(text.encode("utf-8"), ParseContext(name="x.txt")))["tasks"]
    assert tasks[2]["coop_units"] == ["各乡镇人民政府", "县生态环境局"]  # type: ignore[index]
    assert tasks[2]["persons"] == ["县农业农村局局长"]  # type: ignore[index]


def test_an_aligned_table_ends_at_a_blank_line():
    text = _aligned_text([HEAD, *BODY]) + "\n某县人民政府办公室  2024年3月5日\n"
    tasks = to_json(parse(text.encode("utf-8"), ParseContext(name="x.txt")))["tasks"]
    assert [t["text"] for t in tasks] == [row[3] for row in BODY]  # type: ignore[index]


# A dash, a slash or 无 in a cell is the cell left empty, in every column: the field is
# missing (and flagged so), never a unit, a person or a deadline named "—".
NO_VALUE_CELLS = ["—", "——", "-", "－", "/", "／", "无", "暂无"]


@pytest.mark.parametrize("empty", NO_VALUE_CELLS)
@pytest.mark.parametrize("sep", ["\t", "｜"], ids=["tabs", "full-width-pipes"])
def test_a_dash_slash_or_none_cell_is_an_empty_cell(empty, sep):
    rows = [
        ["序号", "整改任务", "牵头单位", "配合单位", "责任人", "整改时限"],
        ["1", "开展尾矿库隐患排查", "州应急管理局", empty, empty, "2024年6月底前"],
        ["2", "推进城中村清洁取暖改造", empty, "县住房和城乡建设局", "王晓燕", empty],
    ]
    text = "某州整改任务清单\n\n" + "\n".join(sep.join(r) for r in rows) + "\n"
    first, second = parse(text.encode("utf-8"), ParseContext(name="list.txt")).tasks
    assert _names(first.lead_units) == ["州应急管理局"] and _due(first) == "2024-06-30"
    assert first.coop_units == () and first.persons == ()
    assert second.lead_units == () and _names(second.coop_units) == ["县住房和城乡建设局"]
    assert _names(second.persons) == ["王晓燕"] and second.deadline.raw is None
    assert "missing_lead_units: no responsible unit given" in second.flags
    assert "missing_deadline: no deadline given" in second.flags
    assert not any(f.startswith("placeholder_") for f in (*first.flags, *second.flags))


def test_a_field_line_holding_a_dash_is_no_field():
    text = "1.开展河道清淤。\n责任单位:市水利局\n责任人:—\n完成时限:/\n"
    (task,) = parse(text.encode("utf-8"), ParseContext(name="plan.txt")).tasks
    assert _names(task.lead_units) == ["市水利局"] and task.persons == ()
    assert "missing_deadline: no deadline given" in task.flags
