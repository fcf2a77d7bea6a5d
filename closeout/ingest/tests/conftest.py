from __future__ import annotations

from pathlib import Path

import pytest

# The sample plans (closeout/samples, a data folder: no Django) and test-only files.
SEEDS = Path(__file__).resolve().parents[2] / "samples" / "plans"
FILES = Path(__file__).parent / "seeds"


def seed_path(number: str) -> Path:
    return next(SEEDS.glob(f"{number}_*.txt"))


@pytest.fixture(scope="session")
def seed_text():
    cache: dict[str, str] = {}

    def load(number: str) -> str:
        if number not in cache:
            cache[number] = seed_path(number).read_text(encoding="utf-8")
        return cache[number]

    return load
