"""Indicators against their targets (目标指标): whether a measured value meets a target.

A target is "at most" (concentrations, days of heavy pollution: lower is better) or "at
least" (shares of good days, treatment rates: higher is better); the value on the target
itself meets it. Pure functions, no database.
"""

from __future__ import annotations

from decimal import Decimal

AT_MOST, AT_LEAST = "at_most", "at_least"


def meets(direction: str, target: Decimal, value: Decimal) -> bool:
    """Whether `value` meets `target` read in `direction` (ValueError for another)."""
    if direction == AT_MOST:
        return value <= target
    if direction == AT_LEAST:
        return value >= target
    raise ValueError(f"an indicator's direction is {AT_MOST!r} or {AT_LEAST!r}, not {direction!r}")


def progress_to_target(
    direction: str, baseline: Decimal | None, target: Decimal, value: Decimal
) -> int | None:
    """How far from the baseline towards the target the value has come, as a whole
    percent clamped to 0..100 (100 once the target is met); None without a baseline or
    when the baseline already met the target."""
    if meets(direction, target, value):
        return 100
    if baseline is None or meets(direction, target, baseline):
        return None
    gained = (baseline - value) if direction == AT_MOST else (value - baseline)
    needed = abs(baseline - target)
    return max(0, min(100, int(gained * 100 / needed)))
