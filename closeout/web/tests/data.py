"""What the page tests share: who sees which task of the `world` fixture, and a file."""

from __future__ import annotations

# What each role of the `world` fixture may see (see ledger/tests/factories.py).
VISIBLE = {
    "office": {"own", "child", "foreign"},
    "leader": {"own", "child", "foreign"},
    "unit_env": {"own"},
    "unit_licheng": {"child"},
    "unit_water": {"foreign"},
    "supervisor": {"own", "child"},
    "supervisor_audit": {"foreign"},
}

# The smallest PDF the evidence check accepts (it sniffs the bytes, not the name).
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
