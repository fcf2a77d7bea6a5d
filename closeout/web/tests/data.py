"""What the page tests share: who sees which task of the `world` fixture, and a file."""

from __future__ import annotations

from closeout.ledger.tests.factories import SIGNED_IN_VISIBLE as VISIBLE  # noqa: F401

# The smallest PDF the evidence check accepts (it sniffs the bytes, not the name).
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
