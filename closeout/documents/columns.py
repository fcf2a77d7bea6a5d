"""The ledger's columns (台账栏目): the customary headers, in their customary order, the
optional ones an office may add, and the words other systems use for the same column.

One table for both directions: the exported workbook writes `header`, and a workbook
coming back is read by matching its header cells against `header` and `synonyms`
(`column_of`), whatever their order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float  # in Excel character widths
    synonyms: tuple[str, ...] = ()
    wrap: bool = True


# The customary columns, in order (序号, 问题, 整改目标, 整改措施, 责任单位, 责任人, 整改时限,
# 整改进展, 完成情况).
CUSTOMARY: tuple[Column, ...] = (
    Column("seq", "序号", 6, ("编号", "序", "序列号"), wrap=False),
    Column("problem", "问题", 36, ("反馈问题", "存在问题", "问题描述", "问题内容", "突出问题",
                                   "交办问题", "督察反馈问题", "问题清单", "具体问题")),
    Column("target", "整改目标", 28, ("目标", "整改目标任务")),
    Column("measures", "整改措施", 40, ("措施", "整改任务", "主要措施", "具体措施",
                                        "整改措施及要求", "工作措施", "任务")),
    Column("units", "责任单位", 22, ("整改责任单位", "责任部门", "主体责任单位")),
    Column("persons", "责任人", 14, ("责任领导", "整改责任人", "责任人员")),
    Column("deadline", "整改时限", 14, ("完成时限", "时限", "整改期限", "完成时间",
                                        "整改时间", "时限要求")),
    Column("progress_text", "整改进展", 40, ("进展情况", "整改进展情况", "工作进展",
                                             "目前进展", "进展", "整改情况")),
    Column("completion", "完成情况", 12, ("整改完成情况", "是否完成", "完成状态",
                                          "整改状态")),
)

# Optional columns the office picks (after the customary ones, in this order); `task_id`
# is always written last: it is how a workbook that comes back finds its tasks.
OPTIONAL: tuple[Column, ...] = (
    Column("lead_units", "牵头单位", 20, ("牵头责任单位", "牵头部门")),
    Column("coop_units", "配合单位", 20, ("协同单位", "配合部门", "参与单位")),
    Column("supervising_units", "督导单位", 18, ("督导部门", "监督单位")),
    Column("percent", "进度(%)", 9, ("进度", "完成进度", "完成比例", "完成率",
                                     "进度百分比"), wrap=False),
    Column("bucket", "序时进度", 10, ("进度状态", "序时状态")),
    Column("status", "任务状态", 10, ("状态",)),
    Column("plan", "整改方案", 24, ("所属方案", "方案")),
    Column("inspection", "督察轮次", 16, ("督察批次", "轮次")),
    Column("category", "问题类别", 10, ("类别", "问题类型")),
    Column("last_reported", "最近报送", 12, ("报送日期", "最近报送时间"), wrap=False),
    Column("closed_on", "销号日期", 12, ("销号时间", "销号情况"), wrap=False),
)
TASK_ID = Column("task_id", "任务编号", 10, ("系统编号", "任务ID", "任务id"), wrap=False)

ALL: tuple[Column, ...] = (*CUSTOMARY, *OPTIONAL, TASK_ID)
BY_KEY: dict[str, Column] = {c.key: c for c in ALL}

_PUNCT = str.maketrans({"（": "(", "）": ")", "％": "%", "：": "", ":": "", "*": "", "＊": ""})


def normalise_header(text: object) -> str:
    """A header cell as compared: NFKC, no spaces or line breaks, no ':' or '*'."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_PUNCT)
    return re.sub(r"\s+", "", folded)


_LOOKUP: dict[str, str] = {}
for _column in ALL:
    for _word in (_column.header, *_column.synonyms):
        _LOOKUP.setdefault(normalise_header(_word), _column.key)


def column_of(text: object) -> str | None:
    """The key of the column a header cell names, or None when it names none we know.
    A unit in brackets is ignored ("进度(%)" and "进度" are the same column)."""
    word = normalise_header(text)
    if not word:
        return None
    if word in _LOOKUP:
        return _LOOKUP[word]
    bare = re.sub(r"\(.*?\)", "", word)
    return _LOOKUP.get(bare)
