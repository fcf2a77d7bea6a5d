"""Escalation letters: each level's kind and wording, the reply date, the copy line, and
one letter rendered through LibreOffice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from docx import Document

from closeout.documents.letters import (
    KINDS,
    LetterData,
    cause_reason,
    filename_of,
    letter_docx,
    title_of,
)
from closeout.documents.tests.pdfcheck import assert_renders

DATA = LetterData(
    level="supervision",
    number="督办〔2026〕3号",
    issued_by="济南市生态环境保护督察整改工作领导小组办公室",
    issued_on=dt.date(2026, 12, 4),
    addressee="历城区人民政府",
    task="全面排查饮用水水源地保护区内违法建设项目",
    problem="饮用水水源地保护不力",
    reason="已超过整改时限（2026年10月31日）34天，仍未完成整改",
    task_ref="12",
    problem_number="3",
    plan_title="济南市贯彻落实中央环境保护督察反馈意见整改方案",
    deadline="2026年10月底",
    target="保护区内违法建设项目全部清理到位",
    measures=("开展拉网式排查", "依法关停取缔违法项目"),
    response_due=dt.date(2026, 12, 18),
    copy_to=("市督导组", "历城区人民政府"),
)


def _text(data: LetterData) -> str:
    document = Document(io.BytesIO(letter_docx(data)))
    return "\n".join(p.text for p in document.paragraphs)


def test_letter_names_the_number_the_unit_the_task_the_reason_and_the_reply_date():
    text = _text(DATA)
    assert "督办〔2026〕3号" in text
    assert "关于饮用水水源地保护不力整改工作的督办函" in text
    assert "历城区人民政府：" in text
    assert "根据《济南市贯彻落实中央环境保护督察反馈意见整改方案》" in text
    assert "“全面排查饮用水水源地保护区内违法建设项目”" in text
    assert "所属问题：第3项饮用水水源地保护不力；整改时限：2026年10月底" in text
    assert "已超过整改时限（2026年10月31日）34天" in text
    assert "落实整改措施：开展拉网式排查；依法关停取缔违法项目。" in text
    assert f"请于2026年12月18日前将整改落实情况书面报送{DATA.issued_by}。" in text
    assert "2026年12月4日" in text
    # The addressed unit is not copied to itself.
    assert "抄送：市督导组。" in text


@pytest.mark.parametrize(
    ("level", "kind", "closing"),
    [
        ("warning", "预警提醒函", "特此函告。"),
        ("reminder", "提醒函", "特此函告。"),
        ("circular", "通报", "特此通报。"),
        ("supervision", "督办函", "特此函告。"),
        ("listed", "挂牌督办通知", "特此通知。"),
        ("summons", "约谈通知", "特此通知。"),
    ],
)
def test_each_level_has_its_kind_of_document(level, kind, closing):
    data = dataclasses.replace(DATA, level=level)
    assert title_of(data).endswith(kind)
    assert filename_of(data) == f"督办〔2026〕3号{kind}.docx"
    assert closing in _text(data)


def test_every_level_of_the_ladder_has_a_letter():
    from closeout.ledger.rules.escalation import Level

    assert set(KINDS) == set(Level.values)


def test_a_long_problem_title_gives_a_title_with_the_task_number():
    data = dataclasses.replace(DATA, problem="问题" * 20)
    assert title_of(data) == "关于加快推进整改任务（12）的督办函"


def test_without_a_reply_date_the_letter_asks_for_a_timely_reply():
    assert "请及时将整改落实情况书面报送" in _text(dataclasses.replace(DATA, response_due=None))


def test_a_letter_needs_an_addressee_and_a_known_level():
    with pytest.raises(ValueError, match="主送"):
        letter_docx(dataclasses.replace(DATA, addressee=" "))
    with pytest.raises(ValueError, match="no letter for the level"):
        letter_docx(dataclasses.replace(DATA, level="memo"))


@pytest.mark.parametrize(
    ("trigger", "key", "size", "text"),
    [
        ("overdue", "2026-11-30", 0, "已超过整改时限（2026年11月30日）4天，仍未完成整改"),
        ("due_soon", "2026-12-10", 0, "距整改时限（2026年12月10日）仅剩6天"),
        ("missed_reports", "2026-11-02", 2, "自2026年11月2日起已连续2次未按时报送整改进展"),
        ("rebound", "2", 2, "销号后问题出现反弹（第2次）"),
        ("overdue", "not-a-date", 0, "not-a-date"),
    ],
)
def test_cause_reason_says_why_in_chinese(trigger, key, size, text):
    assert text in cause_reason(trigger, key, size, dt.date(2026, 12, 4))


def test_same_data_gives_the_same_bytes():
    assert letter_docx(DATA) == letter_docx(DATA)


def test_letter_opens_and_renders():
    assert_renders(
        letter_docx(DATA), ".docx",
        "关于饮用水水源地保护不力整改工作的督办函", "督办〔2026〕3号", "历城区人民政府：",
        "请于2026年12月18日前", "〔2026〕",
    )
