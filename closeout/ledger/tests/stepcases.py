"""Wrong data for every field of every close-out step's schema, and valid data for each
step: the cases the service (test_step_data), API (test_loop_api) and page tests try."""

from __future__ import annotations

import datetime as dt
from typing import Any

from closeout.ledger.rules.workflow import TRANSITIONS
from closeout.ledger.services.closeouts import STEPS

# A valid `data` for every step, and the state it is taken from.
VALID: dict[str, dict[str, Any]] = {
    "request_closeout": {
        "assessment": {"生态修复": "已修复", "污染消除": "已消除", "群众满意": "满意"}
    },
    "verify": {"checked_on": "2025-06-09", "inspectors": "市督导组 张三"},
    "file": {"number": "济销〔2025〕1号"},
}
FROM = {name: rule.sources[0] for name, rule in TRANSITIONS.items()}


def kind_of(annotation: Any) -> str:
    """How a schema field is typed, for the wrong values to try on it."""
    if annotation is dt.date:
        return "date"
    if getattr(annotation, "__origin__", None) is dict:
        return "object"
    return "text"


WRONG = {
    "date": [20250609, 2025.6, ["2025-06-09"], {"year": 2025}, "2025/06/09", "2025-06-09T08:00",
             "2025-13-01", True],
    "text": [5, ["市督导组"], {"name": "市督导组"}, True, None],
    "object": ["生态修复:已修复", ["生态修复", "已修复"], 5],
}  # fmt: skip


def wrong_cases() -> list[tuple[str, str, Any]]:
    cases = []
    for step in STEPS:
        for field, info in step.schema.model_fields.items():
            for value in WRONG[kind_of(info.annotation)]:
                cases.append((step.name, field, value))
    # A text inside the self-assessment is a text too.
    for value in WRONG["text"]:
        cases.append(("request_closeout", "assessment", {"生态修复": value}))
    return cases


WRONG_CASES = wrong_cases()
MISSING = [
    (step.name, field)
    for step in STEPS
    for field, info in step.schema.model_fields.items()
    if info.is_required()
]
