"""What a ledger row's progress columns make of its task's first report (rules.carried)."""

from __future__ import annotations

import pytest

from closeout.ledger.rules.carried import carried_report


@pytest.mark.parametrize(
    ("columns", "text", "percent", "flags"),
    [
        pytest.param({"text": "已淘汰锅炉120台"}, "已淘汰锅炉120台", None, [],
                     id="a progress text alone"),
        pytest.param({"text": "管网已铺设8公里", "percent": 60}, "管网已铺设8公里", 60, [],
                     id="text and percentage"),
        pytest.param({"text": "检查企业35家", "completion": "已完成"},
                     "检查企业35家\n完成情况：已完成", 100, [],
                     id="done words without a percentage mean 100"),
        pytest.param({"text": "已淘汰120台", "completion": "推进中"},
                     "已淘汰120台\n完成情况：推进中", None, [],
                     id="open words keep the percentage empty"),
        pytest.param({"completion": "已销号"}, "完成情况：已销号", 100, ["ledger_closed"],
                     id="a close-out is flagged, not taken"),
        pytest.param({"text": "已拆除", "closeout": "2019年5月已销号"},
                     "已拆除\n销号情况：2019年5月已销号", None, ["ledger_closed"],
                     id="a close-out column is flagged too"),
        pytest.param({"completion": "已撤销"}, "完成情况：已撤销", None, ["ledger_cancelled"],
                     id="a cancellation is flagged"),
        pytest.param({"text": "基本完成", "completion": "差不多了"},
                     "基本完成\n完成情况：差不多了", None, ["completion_unread"],
                     id="unknown completion words are kept and flagged"),
        pytest.param({"percent": 80, "completion": "已完成"}, "完成情况：已完成", 80,
                     ["ledger_conflict"], id="a percentage below 100 beside done words"),
        pytest.param({"percent": 40}, "40%", 40, [], id="a percentage alone"),
        pytest.param({"text": "  \n ", "completion": " "}, None, None, [],
                     id="blank cells make no report"),
        pytest.param({}, None, None, [], id="no progress columns"),
    ],
)  # fmt: skip
def test_a_rows_progress_columns_make_its_first_report(columns, text, percent, flags):
    carried = carried_report(
        text=columns.get("text"),
        percent=columns.get("percent"),
        completion=columns.get("completion"),
        closeout=columns.get("closeout"),
    )
    if text is None:
        assert carried is None
        return
    assert carried is not None
    assert carried.text == text
    assert carried.percent == percent
    assert [flag.partition(":")[0] for flag in carried.flags] == flags
