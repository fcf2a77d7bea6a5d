"""Layout families 1, 3, 4, 8 and 9 of issue 14, in documents written here as offices
write them (other cities, other units, every numbering and both punctuation widths).

Each case is a document and, per task in order, what a reader expects: the first
characters of its text, its lead and cooperating units. Documents not listed here are
in tests/corpus; these are the rules stated once each.
"""

from __future__ import annotations

import pytest

from closeout.ingest.parse import parse

WUHU_PROGRAMME = """2024年芜湖市生态环境保护工作要点
芜湖市人民政府办公室　2024年3月1日
一、总体要求
坚持立行立改、长期坚持，到2024年底全市PM2.5平均浓度下降到32微克/立方米。
二、重点任务
（一）深入打好蓝天保卫战
1．推进钢铁行业超低排放改造，完成烧结机头改造〔市生态环境局牵头，市发展和改革委员会、经济和信息化局参与，各县（市、区）人民政府负责落实〕。加强重污染天气应急管控〔市生态环境局、市气象局按职责分工负责〕。
2．强化移动源污染防治（市公安局交警支队牵头，市交通运输局、商务局配合）。
（二）深入打好碧水保卫战
3．推进城市黑臭水体治理（责任单位：市住房城乡建设局、市城管局；完成时限：2024年6月底前）。
4．加强入河排污口排查整治。
三、保障措施
（一）加强组织领导（市政府办公室牵头）。
"""

NANTONG_FIELD_LINES = """南通市落实省生态环境保护督察反馈问题整改方案
一、整改目标
2023年底前,完成全部反馈问题整改。
二、整改任务
1.推进长江岸线码头整治。
牵头单位:市交通运输局
责任单位:市港口管理局、各县(市、区)人民政府
完成时限:2023年12月31日
2.加强化工园区环境监管。
责任单位:市生态环境局
责任人:市生态环境局局长
完成时限:长期坚持
3.完善城镇污水管网。
4.清理整治沿江非法码头。
"""

YIBIN_DIVISION = """宜宾市贯彻落实长江保护法任务分工方案
（一）开展长江干流岸线保护。实施岸线生态修复。责任单位：市自然资源和规划局、水利局；完成时限：2025年底前。
（二）推进化工企业搬迁改造。牵头单位：市经济和信息化局；配合单位：市生态环境局、应急管理局。
"""

JINGDEZHEN_CIRCLED = """景德镇市大气污染防治实施方案
一、重点任务
(一)工业源治理
1.陶瓷行业治理
①推进陶瓷窑炉天然气替代【市发展改革委牵头,市工信局、市生态环境局配合】
②开展陶瓷企业无组织排放整治【各区(县、市)人民政府负责】
"""

HUANGGANG_PREAMBLE = """黄冈市贯彻落实中央生态环境保护督察报告整改实施方案
一、基本原则
（一）立行立改。对能够立即整改的问题，马上就改（市直各部门按职责分工负责）。
（二）长期坚持。对需要长期推进的问题，持续用力。
二、工作目标
2025年12月底前，督察报告指出的问题全部完成整改。
三、整改措施
（一）推进遗爱湖水质提升（市水利和湖泊局牵头，黄州区人民政府负责落实）。
（二）加强长江岸线保护（市自然资源和规划局牵头，市交通运输局配合）。
"""

QINHUANGDAO_STANDING = """秦皇岛市近岸海域污染防治工作方案
以下各项工作均需各县（区）人民政府落实，不再列出。
一、主要任务
1．开展入海河流综合整治（市水务局牵头，市生态环境局配合）。
2．推进海水养殖尾水治理。
牵头单位：市农业农村局
完成时限：2024年底前
"""

XIANGYANG_TRADITIONAL = """襄陽市生態環境保護督察反饋問題整改方案
二、主要任務（以下任務均由各縣（市、區）人民政府負責落實，不再一一列出）
（一）漢江流域水質改善
整改目標：漢江干流水質穩定達到Ⅱ類。
整改措施：
1．推進沿江化工企業搬遷〔市經濟和信息化局牽頭，市發展和改革局、應急管理局參與〕。
2．完善城鎮污水管網，2024年底前完成〔市住房和城鄉建設局負責〕。
整改時限：2024年12月底前
（二）大氣污染防治
責任單位：市生態環境局（牽頭）、市公安局、市交通運輸局
整改時限：長期堅持
整改措施：一是加強柴油貨車監管；二是推進揚塵治理。
"""

QINZHOU_NUMBERED_PROBLEMS = """钦州市生态环境保护督察反馈问题整改清单
问题一：茅尾海养殖污染问题突出。
整改措施：
1．清理整治违规养殖池塘（牵头单位：市海洋局；配合单位：钦南区人民政府）。
2.开展养殖尾水排放监测(市生态环境局负责)。
问题2:钦江流域部分断面水质不达标。
整改措施:
3.推进沿江乡镇污水处理设施建设(市住房城乡建设局牵头,市水利局配合)。
问题（三）：港区扬尘管控不到位。
整改措施：
4．落实港区堆场防尘措施〔市交通运输局牵头〕。
"""

HINGGAN_MIXED = """兴安盟落实督察反馈意见整改方案
一、整改任务
1．推进乌兰浩特市、阿尔山市污水处理厂提标改造。
牵头单位：盟住房和城乡建设局
责任单位：乌兰浩特市、阿尔山市人民政府
完成时限：2024年12月底前
2．开展矿山地质环境恢复治理（责任单位：盟自然资源局、科尔沁右翼中旗人民政府）。
3.加强草原禁牧休牧监管。
牵头单位:盟林业和草原局
4.严厉打击非法采砂行为(盟公安局牵头,盟水利局配合)。
"""

CASES = {
    "brackets in a work programme": (
        WUHU_PROGRAMME,
        [
            (
                "1.推进钢铁行业",
                ["市生态环境局", "各县(市、区)人民政府"],
                ["市发展和改革委员会", "市经济和信息化局"],
            ),
            ("加强重污染天气", ["市生态环境局", "市气象局"], []),
            ("2.强化移动源", ["市公安局交警支队"], ["市交通运输局", "市商务局"]),
            ("3.推进城市黑臭", ["市住房城乡建设局", "市城管局"], []),
            ("加强入河排污口", [], []),
        ],
    ),
    "field lines under items": (
        NANTONG_FIELD_LINES,
        [
            ("推进长江岸线", ["市交通运输局"], ["市港口管理局", "各县(市、区)人民政府"]),
            ("加强化工园区", ["市生态环境局"], []),
            ("完善城镇污水", [], []),
            ("清理整治沿江", [], []),
        ],
    ),
    "fields after the sentence in a division plan": (
        YIBIN_DIVISION,
        [
            ("(一)开展长江干流", ["市自然资源和规划局", "市水利局"], []),
            ("(二)推进化工企业", ["市经济和信息化局"], ["市生态环境局", "市应急管理局"]),
        ],
    ),
    "circled numbers and 【】": (
        JINGDEZHEN_CIRCLED,
        [
            ("①推进陶瓷窑炉", ["市发展改革委"], ["市工信局", "市生态环境局"]),
            ("②开展陶瓷企业", ["各区(县、市)人民政府"], []),
        ],
    ),
    "principles and targets are no tasks": (
        HUANGGANG_PREAMBLE,
        [
            ("(一)推进遗爱湖", ["市水利和湖泊局", "黄州区人民政府"], []),
            ("(二)加强长江岸线", ["市自然资源和规划局"], ["市交通运输局"]),
        ],
    ),
    "problem blocks over bracketed measures, traditional characters": (
        XIANGYANG_TRADITIONAL,
        [
            (
                "1.推进沿江化工",
                ["市经济和信息化局", "各县(市、区)人民政府"],
                ["市发展和改革局", "市应急管理局"],
            ),
            ("2.完善城镇污水", ["市住房和城乡建设局", "各县(市、区)人民政府"], []),
            (
                "一是加强柴油",
                ["市生态环境局", "各县(市、区)人民政府"],
                ["市公安局", "市交通运输局"],
            ),
            (
                "二是推进扬尘",
                ["市生态环境局", "各县(市、区)人民政府"],
                ["市公安局", "市交通运输局"],
            ),
        ],
    ),
    "numbered problem labels over bracketed measures": (
        QINZHOU_NUMBERED_PROBLEMS,
        [
            ("1.清理整治违规", ["市海洋局"], ["钦南区人民政府"]),
            ("2.开展养殖尾水", ["市生态环境局"], []),
            ("3.推进沿江乡镇", ["市住房城乡建设局"], ["市水利局"]),
            ("4.落实港区堆场", ["市交通运输局"], []),
        ],
    ),
    "items with field lines beside bracketed items": (
        HINGGAN_MIXED,
        [
            ("推进乌兰浩特市", ["盟住房和城乡建设局"], ["乌兰浩特市人民政府", "阿尔山市人民政府"]),
            ("2.开展矿山地质", ["盟自然资源局", "科尔沁右翼中旗人民政府"], []),
            ("加强草原禁牧", ["盟林业和草原局"], []),
            ("4.严厉打击非法", ["盟公安局"], ["盟水利局"]),
        ],
    ),
    "a standing clause before the list": (
        QINHUANGDAO_STANDING,
        [
            ("1.开展入海河流", ["市水务局", "各县(区)人民政府"], ["市生态环境局"]),
            ("推进海水养殖", ["市农业农村局", "各县(区)人民政府"], []),
        ],
    ),
}


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_family_reads_its_tasks_and_their_units(case):
    text, expected = CASES[case]
    for encoding in ("utf-8", "gb18030"):
        tasks = parse(text.encode(encoding)).tasks
        got = [
            (_squash(t.text)[: len(_squash(prefix))], [p.name for p in t.lead_units],
             [p.name for p in t.coop_units])
            for t, (prefix, _, _) in zip(tasks, expected, strict=False)
        ]  # fmt: skip
        assert len(tasks) == len(expected), [t.text[:12] for t in tasks]
        assert got == [(_squash(p), lead, coop) for p, lead, coop in expected]


def test_field_deadlines_belong_to_their_item_and_preamble_dates_to_none():
    nantong = parse(NANTONG_FIELD_LINES.encode()).tasks
    assert nantong[0].deadline.due is not None and nantong[0].deadline.due.isoformat() == (
        "2023-12-31"
    )
    assert nantong[1].deadline.ongoing and nantong[1].deadline.due is None
    assert [p.name for p in nantong[1].persons] == ["市生态环境局局长"]
    huanggang = parse(HUANGGANG_PREAMBLE.encode()).tasks
    # 立行立改 and 2025年12月底前 of the preamble are no deadline of the first task.
    assert not huanggang[0].deadline.immediate and huanggang[0].deadline.due is None


def test_items_without_field_lines_are_tasks_and_no_duplicates():
    tasks = parse(NANTONG_FIELD_LINES.encode()).tasks
    bare = tasks[2:]
    assert [t.problem.number for t in bare] == ["3", "4"]
    assert all(t.duplicate_of is None for t in tasks)
    for task in bare:
        assert any(f.startswith("missing_lead_units") for f in task.flags)


def test_a_group_never_becomes_part_of_a_heading_title():
    tasks = parse(JINGDEZHEN_CIRCLED.encode()).tasks
    assert [t.problem.title for t in tasks] == [
        "推进陶瓷窑炉天然气替代",
        "开展陶瓷企业无组织排放整治",
    ]
    assert tasks[0].problem.path[-1] == "1.陶瓷行业治理"


def test_standing_units_are_flagged_on_each_later_task():
    result = parse(QINHUANGDAO_STANDING.encode())
    at = result.text.index("以下各项工作")
    for task in result.tasks:
        assert f"standing_units: 各县(区)人民政府 (from the clause at offset {at})" in task.flags


def test_every_group_task_keeps_the_span_of_its_own_sentences():
    result = parse(WUHU_PROGRAMME.encode())
    first, second = result.tasks[:2]
    assert result.text[first.span[0] : first.span[1]].startswith("1．推进钢铁")
    assert result.text[first.span[0] : first.span[1]].endswith("烧结机头改造")
    assert result.text[second.span[0] : second.span[1]] == "加强重污染天气应急管控"


def test_a_group_inside_its_sentence_keeps_the_rest_of_the_sentence():
    text = "1.推进滨江岸线整治(市水务局牵头,市城管局配合),2024年底前完成。加强宣传。\n"
    result = parse(text.encode())
    (task,) = result.tasks
    assert task.text == "1.推进滨江岸线整治,2024年底前完成"
    assert result.text[task.span[0] : task.span[1]].endswith("2024年底前完成")
    assert [p.name for p in task.coop_units] == ["市城管局"]


def test_a_problem_block_gives_its_fields_to_the_bracketed_measures_under_it():
    first, second, third, _ = parse(XIANGYANG_TRADITIONAL.encode("utf-8")).tasks
    assert first.target == "汉江干流水质稳定达到II类"
    assert first.deadline.due is not None and first.deadline.due.isoformat() == "2024-12-31"
    assert first.problem.path[-1] == "(一)汉江流域水质改善"
    # Its own sentence states a deadline: the problem's 整改时限 does not replace it.
    assert any(f.startswith("deadline_from_text") for f in second.flags)
    assert third.problem.number == "二" and third.deadline.ongoing


def test_field_lines_side_by_side_on_one_line_are_each_read():
    text = (
        "某县任务分工方案\n1.推进县城污水处理厂提标改造。\n"
        "牵头单位:县住建局　　责任单位:县水利局、县生态环境分局　　完成时限:2024年6月底前\n"
        "2.开展农村黑臭水体排查。\n责任单位:各乡镇人民政府;完成时限:2024年底前\n"
    )
    first, second = parse(text.encode()).tasks
    assert [p.name for p in first.lead_units] == ["县住建局"]
    assert [p.name for p in first.coop_units] == ["县水利局", "县生态环境分局"]
    assert first.deadline.due is not None and first.deadline.due.isoformat() == "2024-06-30"
    assert [p.name for p in second.lead_units] == ["各乡镇人民政府"]
    assert second.deadline.due is not None and second.deadline.due.isoformat() == "2024-12-31"


def test_a_heading_over_bracketed_items_is_no_item_of_its_own():
    text = (
        "某市整改方案\n一、整改任务\n(一)饮用水源保护\n1.清理保护区违法建筑(市水务局牵头)。\n"
        "2.完善保护区标志(市生态环境局负责)。\n(二)工业污染\n牵头单位:市工信局\n"
        "完成时限:2024年底\n(三)农业面源污染\n"
    )
    tasks = parse(text.encode()).tasks
    assert [t.problem.title for t in tasks] == [
        "清理保护区违法建筑", "完善保护区标志", "工业污染", "农业面源污染",
    ]  # fmt: skip


def test_items_alike_but_numbered_apart_are_no_duplicates():
    text = (
        "某区整改方案\n二、整改任务\n1.加强日常巡查。\n牵头单位:区城管局\n"
        "2.加强日常巡查。\n3.加强日常巡查。\n方案篇二\n二、整改任务\n1.加强日常巡查。\n"
        "牵头单位:区城管局\n"
    )
    tasks = parse(text.encode()).tasks
    assert [t.duplicate_of for t in tasks] == [None, None, None, 1]


def test_implementing_units_lead_and_are_flagged_as_implementing():
    first = parse(WUHU_PROGRAMME.encode()).tasks[0]
    assert [p.name for p in first.lead_units] == ["市生态环境局", "各县(市、区)人民政府"]
    assert "implementing_units: 各县(市、区)人民政府" in first.flags
