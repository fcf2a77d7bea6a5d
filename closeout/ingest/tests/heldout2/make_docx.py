"""Write the .docx documents of the second held-out batch.

Run from the repository root: ``python closeout/ingest/tests/heldout2/make_docx.py``. Each
entry of DOCUMENTS builds one document; the zip's timestamps change between runs, the
paragraphs and tables do not (test_heldout.py compares them with the stored files).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docx
from docx.document import Document

HERE = Path(__file__).parent

Cell = tuple[int, int]


def _table(document: Document, rows: list[list[str]], merges: list[tuple[Cell, Cell]]) -> None:
    """A bordered table of `rows`; each merge joins a rectangle and keeps its first cell's text."""
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for (r1, c1), (r2, c2) in merges:
        text = rows[r1][c1]
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                table.cell(r, c).text = ""
        merged = table.cell(r1, c1).merge(table.cell(r2, c2))
        merged.text = text


def baishan_table() -> Document:
    """白山市: a Word table with a two-row header (责任单位 over 牵头单位/配合单位), an 整改目标
    column beside 整改措施, section rows merged across the table and a problem merged over
    two measure rows."""
    document = docx.Document()
    document.add_heading("白山市中央生态环境保护督察反馈问题整改任务清单", level=1)
    document.add_paragraph("中共白山市委办公室　白山市人民政府办公室　2024年5月30日")
    document.add_paragraph(
        "按照立行立改、长期坚持的要求，现将反馈问题整改任务清单印发给你们，请认真抓好落实。"
    )
    header = ["序号", "存在问题", "整改目标", "整改措施", "责任单位", "", "责任人", "整改时限"]
    sub = ["", "", "", "", "牵头单位", "配合单位", "", ""]
    rows = [
        header,
        sub,
        ["一、水污染防治", "", "", "", "", "", "", ""],
        ["1", "浑江白山城区段部分排口超标排放", "排口稳定达标排放",
         "完成浑江沿岸12个排口截污改造", "浑江区人民政府", "市生态环境局、住房和城乡建设局",
         "分管副区长", "2024年10月底前"],
        ["", "", "", "建立排口在线监测和月度通报制度", "市生态环境局", "", "周某某", "每月"],
        ["二、生态保护", "", "", "", "", "", "", ""],
        ["2", "池西区存在违规建设的温泉度假设施", "违规设施全部拆除",
         "拆除违规建设的温泉度假设施，恢复原有植被", "长白山保护开发区管理委员会",
         "市自然资源局", "吴某某", "立即整改，2025年5月底前完成植被恢复"],
        ["3", "临江市、长白朝鲜族自治县林区非法采伐问题多发", "杜绝非法采伐",
         "开展打击非法采伐林木专项行动", "市林业和草原局",
         "临江市、长白朝鲜族自治县人民政府，市公安局", "郑某某", "2024年二季度末前"],
        ["4", "靖宇县矿泉水企业取水许可管理不规范", "取水许可规范管理",
         "2024年8月底前完成取水许可核查，建立取水计量在线监控", "市水利局", "靖宇县人民政府",
         "钱某某", "2024年12月31日"],
    ]  # fmt: skip
    merges = [((0, c), (1, c)) for c in (0, 1, 2, 3, 6, 7)]
    merges += [((0, 4), (0, 5)), ((2, 0), (2, 7)), ((5, 0), (5, 7))]
    merges += [((3, c), (4, c)) for c in (0, 1, 2)]
    _table(document, rows, merges)
    document.add_paragraph("各牵头单位于每月25日前报送整改进展。")
    return document


DOCUMENTS: dict[str, Callable[[], Document]] = {
    "tables/baishan_qingdan.docx": baishan_table,
}


if __name__ == "__main__":
    for name, build in DOCUMENTS.items():
        build().save(str(HERE / name))
        print(HERE / name)
