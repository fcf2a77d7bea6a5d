"""The cells of a ledger workbook sent back, as the import reads them: where a row or
cell is, in the user's language; a cell's text as compared with what the export wrote;
a text as matched; a percentage (see `closeout.ledger.services.ledgerimport`)."""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

from closeout.documents import ledgerread
from closeout.documents.completion import normalise_words
from closeout.ledger.errors import InvalidInput


def place_of(row: ledgerread.Row, key: str | None = None) -> str:
    """Where a row (or its cell of `key`) is, in the user's language: "台账 row 7,
    column H" (台账 第7行 H列)."""
    cell = row.cells.get(key) if key else None
    if cell is None:
        return _("%(sheet)s row %(row)s") % {"sheet": row.sheet, "row": row.row}
    return _("%(sheet)s row %(row)s, column %(column)s") % {
        "sheet": row.sheet, "row": row.row, "column": cell.column,
    }


def normalise_text(value: object) -> str:
    """A text as matched (a row without 任务编号 is matched by its 整改措施): NFKC, no
    blanks or punctuation (a workbook re-wraps lines and swaps full-width commas)."""
    return normalise_words(value)


def cell_text(value: object) -> str:
    """A cell's text as compared with what the export wrote: exactly, but for the line
    breaks a spreadsheet may rewrite and the blanks around it (the reader strips them)."""
    return plain_text(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def plain_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def parse_percent(value: object) -> int:
    """A percentage cell (60, 60.0, "60", "60%", "６０％") as a whole number 0-100, or
    InvalidInput saying what is wrong with it."""
    if isinstance(value, bool):
        raise InvalidInput(_("not a percentage"), field="percent")
    if isinstance(value, str):
        raw = unicodedata.normalize("NFKC", value).strip().rstrip("%").strip()
        try:
            number = float(raw)
        except ValueError:
            raise InvalidInput(
                _("'%(value)s' is not a percentage: write a whole number from 0 to 100")
                % {"value": value},
                field="percent",
            ) from None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise InvalidInput(
            _("'%(value)s' is not a percentage: write a whole number from 0 to 100")
            % {"value": value},
            field="percent",
        )
    if not number.is_integer():
        raise InvalidInput(
            _("%(value)s is not a whole number: write a whole number from 0 to 100")
            % {"value": plain_text(value)},
            field="percent",
        )
    if not 0 <= number <= 100:
        raise InvalidInput(
            _("progress must be between 0 and 100 (%(value)s given)") % {"value": int(number)},
            field="percent",
        )
    return int(number)
