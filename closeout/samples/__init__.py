"""Sample inputs: the real rectification plans this product was drawn from, verbatim
(public government documents, some scraped with traditional characters and pinyin
annotations). The demo imports them and the parser's tests and benchmark read them.

    000_guangzhou_2020  广州: 中央环保督察"回头看"及固废专项督察反馈意见整改方案 (2020)
    001_huzhou_2023     湖州市贯彻落实2022年省委生态环境保护专项督察反馈意见整改方案 (2023)
    002_guangzhou_2021  2021年广州市生态环境工作要点
    003_jinan_2018      济南市贯彻落实中央环境保护督察组督察反馈意见整改落实实施方案 (2018)
    004_compilation     生态环境保护工作方案: a compilation of 22 plans (篇一…篇二十二)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PLANS = Path(__file__).parent / "plans"


def plan_bytes(name: str) -> bytes:
    """The bytes of one sample plan, by file name (works from an installed wheel too)."""
    return resources.files(__name__).joinpath("plans", name).read_bytes()
