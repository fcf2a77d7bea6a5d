"""Plan ingestion (方案解析): pure Python, no Django import.

read → normalise → outline → fields → units/deadlines/indicators → result dataclasses.
"""

from __future__ import annotations

from closeout.ingest.deadlines import Deadline, parse_deadline
from closeout.ingest.indicators import Indicator, find_indicators
from closeout.ingest.isolate import Isolation, parse_isolated
from closeout.ingest.normalise import Normalised, normalise
from closeout.ingest.parse import parse
from closeout.ingest.read import read
from closeout.ingest.result import ParseContext, ParseResult, Task, to_json
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
    "Isolation",
    "Normalised",
    "ParseContext",
    "ParseResult",
    "Party",
    "ReadContext",
    "ReadError",
    "SourceText",
    "Table",
    "Task",
    "find_indicators",
    "normalise",
    "parse",
    "parse_deadline",
    "parse_isolated",
    "parse_persons",
    "parse_units",
    "read",
    "to_json",
]
