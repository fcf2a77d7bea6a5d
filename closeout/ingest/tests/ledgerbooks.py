"""Excel ledgers (台账) built in the tests with openpyxl, as offices keep them: a title row
and a 填报 row above a two-row header (责任单位 merged over 牵头单位/配合单位), columns
in an order of their own, problems merged over their tasks, a section heading merged
across the sheet, a second ledger sheet and a notes sheet. Shared by the reader's tests
(closeout.ingest) and the import's (closeout.ledger)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

TITLE = "济南市贯彻落实中央环境保护督察反馈意见整改台账"
# Sheet 大气: the header's two rows are 3 and 4; data from row 5.
AIR_HEADER = (
    ["序号", "整改措施", "反馈问题", "整改时限", "责任单位", None, "整改目标", "进展情况",
     "完成情况", "督导单位", "责任人"],
    [None, None, None, None, "牵头单位", "配合单位", None, None, None, None, None],
)  # fmt: skip
AIR_ROWS: list[list[Any]] = [
    ["一、大气污染防治"] + [None] * 10,
    [1, "全面淘汰城区燃煤小锅炉", "城区燃煤锅炉污染突出", "2019年底", "市环保局", "市公安局",
     "燃煤锅炉全部清零", "已淘汰锅炉120台", "推进中", "市整改工作领导小组办公室",
     "市环保局主要负责人"],
    [None, "开展锅炉执法检查", None, "立行立改", "市公安局", None, None, "检查企业35家",
     "已完成", "市整改工作领导小组办公室", None],
    [2, "清理饮用水水源保护区内违法建筑", "水源地违法建筑未清理", "2020年6月底",
     "市城乡水务局", "市国土资源局", "违法建筑全部拆除", None, "已销号", None, None],
]  # fmt: skip
# Merges: the title across the sheet, 责任单位 over its two columns, the other headers
# down both rows, the section heading across, problem 1 (and its 序号 and 目标) over rows
# 6-7.
AIR_MERGES = (
    "A1:K1", "E3:F3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "G3:G4", "H3:H4", "I3:I4",
    "J3:J4", "K3:K4", "A5:K5", "A6:A7", "C6:C7", "G6:G7",
)  # fmt: skip
# Sheet 水: a one-row header straight away, other columns, a 进度(%) column.
WATER_HEADER = ["问题", "整改措施", "牵头单位", "完成时限", "整改进展", "进度(%)", "备注"]
WATER_ROWS: list[list[Any]] = [
    ["黑臭水体整治滞后", "完成小清河截污纳管", "市城乡水务局", "2020年12月底前",
     "管网已铺设8公里", 60, None],
]  # fmt: skip


def ledger_workbook(
    air: list[list[Any]] | None = None,
    water: list[list[Any]] | None = None,
    *,
    notes: bool = True,
) -> bytes:
    """The two-sheet ledger (and a notes sheet); `air`/`water` replace the data rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "大气"
    ws.append([TITLE])
    ws.append(["填报单位：市整改办", None, None, None, None, None, None, "填报日期：2019年3月1日"])
    for row in (*AIR_HEADER, *(AIR_ROWS if air is None else air)):
        ws.append(list(row))
    for ref in AIR_MERGES if air is None else AIR_MERGES[:11]:
        ws.merge_cells(ref)
    water_ws = wb.create_sheet("水")
    for row in (WATER_HEADER, *(WATER_ROWS if water is None else water)):
        water_ws.append(list(row))
    if notes:
        wb.create_sheet("填表说明").append(["本表由各责任单位每月填报"])
    return save(wb)


def plain_workbook(*sheets: tuple[str, list[list[Any]]]) -> bytes:
    """A workbook of the named sheets and their rows, nothing merged."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    return save(wb)


def save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
