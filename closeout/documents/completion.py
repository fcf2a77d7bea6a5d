"""完成情况: the words a ledger writes in its completion column, and what a word means
when a workbook comes back.

One vocabulary for both directions. The export writes `WORDS[state]` for a task's state
(`closeout.ledger.selectors.exports` maps each task status to a `Completion`); the
import reads a cell through `completion_of`, which knows those words and the ones other
ledgers use for the same thing ("已整改", "完成交账销号", ...). Pure Python.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Completion(StrEnum):
    OPEN = "open"  # 未完成: the work goes on (awaiting confirmation, in progress)
    DONE = "done"  # 已完成，待销号: done, its close-out under way
    CLOSED = "closed"  # 已销号: closed out
    SUSTAINED = "sustained"  # 已完成，长期坚持: done, kept up under look-back
    CANCELLED = "cancelled"  # 已撤销


# What the ledger writes, one phrase per state.
WORDS: dict[Completion, str] = {
    Completion.OPEN: "未完成",
    Completion.DONE: "已完成，待销号",
    Completion.CLOSED: "已销号",
    Completion.SUSTAINED: "已完成，长期坚持",
    Completion.CANCELLED: "已撤销",
}

# What a completion cell may say, compared without blanks or punctuation
# (`normalise_words`): the ledger's own words first, then other ledgers' words.
SYNONYMS: dict[Completion, tuple[str, ...]] = {
    Completion.OPEN: ("未完成", "推进中", "正在推进", "序时推进", "滞后", "整改中", "进行中",
                      "尚未启动", "未启动", "达到序时进度", "未达到序时进度", "超过序时进度",
                      "持续推进", "长期坚持"),
    Completion.DONE: ("已完成，待销号", "已完成", "完成", "已整改", "完成整改", "已完成整改",
                      "整改完成", "基本完成", "待销号", "已完成待验收", "申请销号"),
    Completion.CLOSED: ("已销号", "销号", "完成交账销号", "已完成销号", "已完成并销号"),
    Completion.SUSTAINED: ("已完成，长期坚持", "已完成、长期坚持", "完成并长期坚持"),
    Completion.CANCELLED: ("已撤销", "撤销", "已取消"),
}  # fmt: skip

_SPACE = re.compile(r"[\s\u3000]+")
_PUNCT = re.compile(r"[，,。.;；:：、!！?？\"'“”‘’()（）\[\]【】《》<>\-—_·]+")


def normalise_words(value: object) -> str:
    """A text as compared: NFKC, no blanks or punctuation (a workbook re-wraps lines and
    swaps full-width commas)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _PUNCT.sub("", _SPACE.sub("", text))


_MEANING: dict[str, Completion] = {}
for _state, _words in SYNONYMS.items():
    for _word in _words:
        _MEANING.setdefault(normalise_words(_word), _state)
for _state, _word in WORDS.items():  # the written words always mean their own state
    _MEANING[normalise_words(_word)] = _state


def completion_of(value: object) -> Completion | None:
    """What a completion cell says, or None when its words are not ones we know."""
    return _MEANING.get(normalise_words(value))


def words_of(state: Completion) -> str:
    """The words the ledger writes for `state`."""
    return WORDS[state]
