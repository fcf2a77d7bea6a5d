"""The completion column's words (完成情况, `closeout.documents.completion`): the words a
ledger writes read back as their own state, other ledgers' words as theirs."""

from __future__ import annotations

import pytest

from closeout.documents.completion import WORDS, Completion, completion_of, words_of


@pytest.mark.parametrize("state", list(Completion))
def test_the_written_words_mean_their_own_state(state: Completion) -> None:
    assert completion_of(words_of(state)) == state


@pytest.mark.parametrize(
    ("cell", "state"),
    [
        ("已完成", Completion.DONE),
        ("已完成,待销号", Completion.DONE),  # half-width comma
        (" 已完成\n待销号 ", Completion.DONE),  # re-wrapped
        ("已完成、长期坚持", Completion.SUSTAINED),
        ("完成交账销号", Completion.CLOSED),
        ("推进中", Completion.OPEN),
        ("撤销", Completion.CANCELLED),
        ("差不多", None),
        ("", None),
        (None, None),
    ],
)
def test_other_words_are_read_by_their_meaning(cell: object, state: Completion | None) -> None:
    assert completion_of(cell) == state


def test_every_state_has_one_written_phrase() -> None:
    assert set(WORDS) == set(Completion) and len(set(WORDS.values())) == len(WORDS)
