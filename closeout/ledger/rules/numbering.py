"""Document numbers (发文字号) as official documents write them: 督办〔2026〕3号.

The prefix (发文代字) comes first, the year in hexagonal brackets 〔〕 (never 【】 or []),
then the number of the document in that year's series, without leading zeros, and 号.
Pure: the series and their counters are in `closeout.ledger.services.numbering`.
"""

from __future__ import annotations

MIN_YEAR, MAX_YEAR = 1949, 9999


def format_number(prefix: str, year: int, number: int) -> str:
    """'督办〔2026〕3号'; ValueError names what is wrong."""
    prefix = prefix.strip()
    if not prefix:
        raise ValueError("a document number needs a prefix (发文代字)")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"not a year of a document number: {year}")
    if number < 1:
        raise ValueError(f"document numbers start at 1, not {number}")
    return f"{prefix}〔{year}〕{number}号"
