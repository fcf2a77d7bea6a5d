"""Regenerate the corpus's Word documents (.docx) from the text below.

Run ``.venv/bin/python closeout/ingest/tests/corpus/make_docx.py`` from the repository
root. The documents are written as offices write them: paragraphs, field lines, and
tables with two-row headers and merged cells (a problem merged over its measures).
Their gold files (``<name>.json`` beside each) are written by hand and are not touched.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH

HERE = Path(__file__).parent
FIXED = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def _new(title: str, issuer: str, date: str) -> DocxDocument:
    doc = Document()
    doc.core_properties.created = FIXED
    doc.core_properties.modified = FIXED
    doc.core_properties.author = issuer
    heading = doc.add_paragraph(title)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(issuer).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(date).alignment = WD_ALIGN_PARAGRAPH.CENTER
    return doc


def _paragraphs(doc: DocxDocument, text: str) -> None:
    for line in text.strip().splitlines():
        if line.strip():
            doc.add_paragraph(line.strip())


def _table(doc: DocxDocument, rows: Sequence[Sequence[str]], merges: Sequence[tuple]) -> None:
    """Rows of cell text; merges as (row, col, row2, col2): the first cell keeps its text,
    the others are emptied before merging, as Word does."""
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for r1, c1, r2, c2 in merges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    table.cell(r, c).text = ""
        table.cell(r1, c1).merge(table.cell(r2, c2))


def hefei_tables() -> DocxDocument:
    doc = _new(
        "合肥市贯彻落实第二轮中央生态环境保护督察报告整改措施清单",
        "合肥市生态环境保护督察整改工作领导小组办公室",
        "2022年3月15日",
    )
    _paragraphs(doc, "附件\n整改措施清单")
    head = ["序号", "问题", "整改目标", "整改措施", "责任单位", "", "责任人", "整改时限"]
    sub = ["", "", "", "", "牵头单位", "配合单位", "", ""]
    rows = [
        head,
        sub,
        ["1", "巢湖流域总磷浓度居高不下", "巢湖湖区总磷浓度持续下降",
         "实施南淝河、十五里河等入湖河流总磷削减工程", "市生态环境局",
         "市住房城乡建设局、市水务局", "市生态环境局局长", "2023年12月底前"],
        ["", "", "", "推进环巢湖十大湿地建设，新增湿地面积2万亩", "市林业和园林局",
         "巢湖市人民政府、庐江县人民政府", "市林业和园林局局长", "2024年6月底前"],
        ["", "", "", "开展入湖河流排口排查整治，立行立改", "市生态环境局", "", "",
         "立行立改"],
        ["2", "城区部分污水管网混错接严重", "城区污水集中收集率达到75%以上",
         "完成老城区雨污管网混错接改造280处", "市城乡建设局", "各区人民政府",
         "市城乡建设局局长", "2023年10月底前"],
        ["3", "建筑垃圾违规倾倒", "建筑垃圾规范处置", "常态化开展渣土车辆联合执法",
         "市城市管理局", "市公安局交警支队", "市城市管理局局长", "长期坚持"],
    ]  # fmt: skip
    # 责任单位 over its two sub-columns; the other headers down both header rows; problem 1
    # (序号, 问题, 整改目标) over its three measures.
    header_merges = [(0, 4, 0, 5), *((0, c, 1, c) for c in (0, 1, 2, 3, 6, 7))]
    _table(doc, rows, [*header_merges, *((2, c, 4, c) for c in (0, 1, 2))])
    return doc


def lanzhou_tables() -> DocxDocument:
    doc = _new(
        "兰州市黄河流域生态环境警示片披露问题整改任务分解表",
        "兰州市人民政府办公室",
        "2023年5月22日",
    )
    _paragraphs(
        doc,
        "各县区人民政府，兰州新区管委会，市政府各部门：\n现将整改任务分解表印发给你们，请抓好落实。",
    )
    rows = [
        ["整改时限", "问题描述", "序号", "整改措施", "督导单位", "责任单位", "配合单位"],
        ["2023年9月底前", "黄河兰州段部分河道违规侵占", "1",
         "清理河道管理范围内违规建筑和堆放物", "市水务局", "七里河区人民政府", "市自然资源局"],
        ["2024年6月底前", "", "2", "实施黄河兰州段岸线生态修复", "市水务局",
         "安宁区人民政府、西固区人民政府", ""],
        ["持续推进", "石化企业挥发性有机物治理不到位", "3",
         "推进石化企业泄漏检测与修复，实施储罐综合治理", "市生态环境局",
         "兰州石化公司", "市工业和信息化局"],
        ["", "南北两山绿化工程养护不到位", "4", "完善南北两山绿化养护管理机制", "", "", ""],
    ]  # fmt: skip
    _table(doc, rows, [(1, 1, 2, 1)])
    return doc


def kunming_fieldlines() -> DocxDocument:
    doc = _new(
        "昆明市贯彻落实中央第八生态环境保护督察组督察反馈意见整改方案",
        "中共昆明市委办公厅　昆明市人民政府办公厅",
        "2021年12月1日",
    )
    _paragraphs(
        doc,
        """
一、整改目标
坚持立行立改、长期坚持，确保2022年底前完成主要整改任务。
二、整改任务
1.加强滇池流域入湖河道综合治理，实施盘龙江、宝象河水质提升工程。
牵头单位：市滇池管理局
责任单位：市水务局、市生态环境局、盘龙区人民政府
完成时限：2022年12月底前
2.严格滇池保护区违规建设项目管控，依法拆除违法建筑。
牵头单位：市自然资源和规划局
责任单位：官渡区人民政府、西山区人民政府
完成时限：立即整改
3.推进阳宗海流域历史遗留砷污染治理。
4.加强长江上游金沙江段禁渔执法，常态化开展联合巡查。
牵头单位：市农业农村局
责任单位：市公安局、市市场监管局、禄劝县人民政府
完成时限：长期坚持
5.完善重点排污单位自动监控设施。
责任单位：市生态环境局
责任人：市生态环境局分管负责人
完成时限：2022年6月30日
""",
    )
    return doc


def yichun_programme() -> DocxDocument:
    doc = _new(
        "伊春市重点国有林区森林资源保护修复实施方案",
        "伊春市人民政府办公室",
        "2022年7月18日",
    )
    _paragraphs(
        doc,
        """
为贯彻落实省委、省政府关于重点国有林区改革发展的决策部署，加强森林资源保护修复，制定本实施方案。
一、总体目标
到2025年，全市森林覆盖率稳定在83%以上，森林蓄积量持续增长。
二、主要任务
（一）严格林地保护管理。开展林地清理整治专项行动，2022年12月底前完成违法占用林地问题整改（市林业和草原局牵头，市自然资源局配合，各县（市、区）人民政府负责落实）。
（二）加强森林防火。落实森林防火责任制，每年开展森林防火隐患排查（市应急管理局、市林业和草原局按职责分工负责）。
（三）推进退化林修复。2023年底前完成退化林修复10万亩，2025年底前累计完成30万亩（市林业和草原局牵头）。
（四）发展林下经济。培育林下经济示范基地。
三、保障措施
加强组织领导，落实资金保障，强化监督考核。
""",
    )
    return doc


def xiamen_single() -> DocxDocument:
    doc = _new(
        "厦门市生态环境保护督察反馈问题整改验收销号公示",
        "厦门市同安区生态环境保护督察整改工作领导小组办公室",
        "2023年6月5日",
    )
    _paragraphs(doc, "按照整改验收销号工作要求，经现场核查，以下问题已完成整改，现予公示。")
    rows = [
        ["整改任务", "同安区西溪流域畜禽养殖污染问题整改"],
        ["整改目标", "西溪流域禁养区内养殖场全部关闭，西溪水质稳定达到Ⅲ类"],
        ["整改责任单位", "同安区人民政府"],
        ["配合单位", "同安区农业农村局、厦门市生态环境局同安分局"],
        ["整改时限", "2023年3月底前"],
        ["整改措施", "关闭禁养区内养殖场23家，完成养殖场所拆除和场地生态恢复。"],
        ["完成情况", "23家养殖场已全部关闭拆除，2023年4月西溪水质达到Ⅲ类。"],
        ["验收销号单位", "厦门市农业农村局"],
    ]
    _table(doc, rows, [])
    _paragraphs(doc, "公示时间：2023年6月5日至2023年6月11日。")
    return doc


DOCUMENTS = {
    "tables/hefei_2022_qingdan.docx": hefei_tables,
    "tables/lanzhou_2023_renwu.docx": lanzhou_tables,
    "fieldlines/kunming_2021_fangan.docx": kunming_fieldlines,
    "programmes/yichun_2022_shishi_fangan.docx": yichun_programme,
    "single_task/xiamen_2023_xiaohao.docx": xiamen_single,
}


def main() -> None:
    for name, build in DOCUMENTS.items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        build().save(str(path))
        print(path.relative_to(HERE))


if __name__ == "__main__":
    main()
