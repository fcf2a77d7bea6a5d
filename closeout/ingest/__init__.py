"""Plan ingestion (方案解析): pure Python, no Django import.

read → normalise → outline → fields → units/deadlines/indicators → result dataclasses.
"""

from __future__ import annotations

from closeout.ingest.deadlines import Deadline, parse_deadline
from closeout.ingest.indicators import Indicator, find_indicators
from closeout.ingest.normalise import Normalised, normalise
from closeout.ingest.read import read
from closeout.ingest.source import (
    Cell,
    IngestError,
    ReadContext,
    ReadError,
    SourceText,
    Table,
)
from closeout.ingest.units import Party, parse_persons, parse_units

__all__ = [
    "Cell",
    "Deadline",
    "Indicator",
    "IngestError",
    "Normalised",
    "Party",
    "ReadContext",
    "ReadError",
    "SourceText",
    "Table",
    "find_indicators",
    "normalise",
    "parse_deadline",
    "parse_persons",
    "parse_units",
    "read",
]
