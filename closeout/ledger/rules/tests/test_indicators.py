"""Indicators against targets: met or not, and the way from the baseline."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from closeout.ledger.models import IndicatorDirection
from closeout.ledger.rules.indicators import AT_LEAST, AT_MOST, meets, progress_to_target


@pytest.mark.parametrize(
    ("direction", "target", "value", "met"),
    [
        (AT_MOST, D("45"), D("44.9"), True),
        (AT_MOST, D("45"), D("45"), True),  # on the target meets it
        (AT_MOST, D("45"), D("45.1"), False),
        (AT_LEAST, D("80"), D("80"), True),
        (AT_LEAST, D("80"), D("79.99"), False),
        (AT_LEAST, D("80"), D("95"), True),
    ],
)
def test_meets(direction, target, value, met):
    assert meets(direction, target, value) is met


def test_an_unknown_direction_is_an_error():
    with pytest.raises(ValueError, match="direction"):
        meets("about", D("1"), D("1"))


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "value", "progress"),
    [
        (AT_MOST, D("60"), D("45"), D("60"), 0),
        (AT_MOST, D("60"), D("45"), D("52.5"), 50),
        (AT_MOST, D("60"), D("45"), D("70"), 0),  # worse than the baseline: clamped
        (AT_MOST, D("60"), D("45"), D("40"), 100),
        (AT_LEAST, D("50"), D("80"), D("65"), 50),
        (AT_LEAST, D("50"), D("80"), D("80"), 100),
        (AT_LEAST, None, D("80"), D("65"), None),  # no baseline, no way to measure
        (AT_LEAST, D("90"), D("80"), D("70"), None),  # the baseline met it already
    ],
)
def test_progress_to_target(direction, baseline, target, value, progress):
    assert progress_to_target(direction, baseline, target, value) == progress


def test_the_models_directions_are_the_rules():
    assert set(IndicatorDirection.values) == {AT_MOST, AT_LEAST}
