"""Issuing document numbers (发文字号): the next number of a series, once per document.

`document_number(kind=, key=, body=, year=)` returns the number issued for `key` (the
document: "escalation:123", "circular:2026-11-30"), issuing the next number of the
series (body, year, kind) the first time it is asked:

1. A number already issued for (kind, key) is returned as it is: asking twice, or
   rendering a letter again, never takes a second number.
2. Otherwise, inside one transaction, the series row is created if it is new
   (`get_or_create`, which a concurrent twin's insert makes wait, then find) and locked
   (`select_for_update`): callers of the same series are served one at a time.
3. Under the lock the key is looked up again (a concurrent caller may just have issued
   it), then the counter moves on by one and the number is written with its audit event.

The counter only counts up, so a number is never issued twice, even when the document
it was for, or the row of the number itself, is deleted. A new year starts at 1.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from closeout.ledger import clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput
from closeout.ledger.models import IssuedNumber, LoopSettings, NumberKind, NumberSeries
from closeout.ledger.rules.numbering import MAX_YEAR, MIN_YEAR, format_number
from closeout.ledger.services.audit import audit, snapshot

FIELDS = ("body", "year", "kind", "number", "text", "key", "purpose")


def default_prefix(kind: str) -> str:
    """The office's prefix (发文代字) for the kind of document."""
    current = LoopSettings.current()
    return current.letter_prefix if kind == NumberKind.LETTER else current.circular_prefix


def _check(kind: str, key: str, body: str, year: int) -> None:
    if kind not in NumberKind.values:
        raise InvalidInput(_("not a kind of numbered document: %(kind)s") % {"kind": kind},
                           field="kind")
    if not key or len(key) > 120:
        raise InvalidInput(_("a numbered document needs a key of at most 120 characters"),
                           field="key")
    if not body or len(body) > 200:
        raise InvalidInput(_("name the issuing body (at most 200 characters)"), field="body")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(_("not a year of a document number: %(year)s") % {"year": year},
                           field="year")


def issued_number(*, kind: str, key: str) -> IssuedNumber | None:
    """The number issued for a document, if any (nothing is issued)."""
    return IssuedNumber.objects.filter(kind=kind, key=key).first()


def document_number(
    *,
    kind: str,
    key: str,
    body: str,
    year: int,
    prefix: str | None = None,
    purpose: str = "",
    actor: Actor | None = None,
) -> IssuedNumber:
    """The number of the document `key` in the series (body, year, kind); see the
    module. `prefix` defaults to the office's (LoopSettings.letter_prefix or
    circular_prefix); a number already issued keeps the prefix it was issued with."""
    body, key = body.strip(), key.strip()
    _check(kind, key, body, year)
    existing = issued_number(kind=kind, key=key)
    if existing is not None:
        return existing
    prefix = (prefix if prefix is not None else default_prefix(kind)).strip()
    if not prefix or len(prefix) > 40:
        raise InvalidInput(_("a document number needs a prefix of at most 40 characters"),
                           field="prefix")
    with transaction.atomic():
        found, _created = NumberSeries.objects.get_or_create(body=body, year=year, kind=kind)
        series = NumberSeries.objects.select_for_update().get(pk=found.pk)
        existing = issued_number(kind=kind, key=key)
        if existing is not None:
            return existing
        number = series.last + 1
        try:
            with transaction.atomic():
                NumberSeries.objects.filter(pk=series.pk).update(last=number)
                issued = IssuedNumber.objects.create(
                    series=series,
                    body=body,
                    year=year,
                    kind=kind,
                    number=number,
                    prefix=prefix,
                    text=format_number(prefix, year, number),
                    key=key,
                    purpose=purpose[:300],
                    issued_at=clock.now(),
                )
        except IntegrityError:
            # The same key issued at this moment in another series (another body or
            # year): that number stands, and this series keeps its count.
            existing = issued_number(kind=kind, key=key)
            if existing is None:
                raise
            return existing
        audit(actor or Actor.system(), "issuednumber.create", issued,
              after=snapshot(issued, FIELDS))
    return issued
