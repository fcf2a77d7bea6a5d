"""Write the Word documents of the third held-out batch (run from the repository root).

python closeout/ingest/tests/heldout3/make_docx.py
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.document import Document

HERE = Path(__file__).resolve().parent

SIPING_HEADER = ("序号", "问题编号", "问题", "整改措施", "牵头单位", "配合单位", "完成时限")
# (number, code, problem, measure, lead, cooperating, deadline); None in the problem column
# continues the cell above (merged), a str row alone is a section row.
SIPING_ROWS: list[tuple[str, ...] | str] = [
    "一、水环境",
    (
        "1", "SP-2024-01", "东辽河、招苏台河四平段水质改善不明显",
        "开展东辽河、招苏台河沿线入河排污口溯源整治", "市生态环境局",
        "市水利局、住房和城乡建设局", "2024年11月底前",
    ),
    (
        "2", "SP-2024-01", None, "对梨树县、双辽市超标排放的污水处理厂立即整改",
        "梨树县、双辽市人民政府", "市生态环境局", "立即整改",
    ),
    "二、大气环境",
    (
        "3", "SP-2024-02", "铁西区、铁东区建筑工地扬尘管控不到位",
        "建立扬尘污染防治动态台账，常态化开展巡查", "市住房和城乡建设局",
        "铁西区、铁东区人民政府", "长期坚持",
    ),
    (
        "4", "SP-2024-03", "伊通满族自治县城区燃煤锅炉淘汰滞后",
        "淘汰伊通满族自治县城区35蒸吨以下燃煤锅炉", "伊通满族自治县人民政府",
        "市发展和改革委员会、生态环境局", "2024年10月15日前",
    ),
]  # fmt: skip


def siping() -> Document:
    """四平: a Word table, problem codes beside 序号, a merged problem cell, section rows."""
    document = docx.Document()
    document.add_paragraph("四平市中央生态环境保护督察反馈问题整改清单")
    document.add_paragraph("四平市生态环境保护督察整改工作领导小组办公室　2024年6月18日")
    table = document.add_table(rows=1, cols=len(SIPING_HEADER))
    for cell, text in zip(table.rows[0].cells, SIPING_HEADER, strict=True):
        cell.text = text
    above = None
    for row in SIPING_ROWS:
        cells = table.add_row().cells
        if isinstance(row, str):
            merged = cells[0].merge(cells[-1])
            merged.text = row
            continue
        for k, (cell, text) in enumerate(zip(cells, row, strict=True)):
            if k == 2 and text is None and above is not None:
                above.merge(cell)
            else:
                cell.text = text
        above = cells[2] if row[2] is not None else above
    document.add_paragraph("以上问题整改情况将在市政府门户网站公开。")
    return document


DOCUMENTS = {"tables/siping_qingdan.docx": siping}


def main() -> None:
    for name, build in DOCUMENTS.items():
        build().save(str(HERE / name))


if __name__ == "__main__":
    main()
