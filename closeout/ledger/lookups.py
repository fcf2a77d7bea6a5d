"""`field__any_of=<subquery>`: membership in a subquery, evaluated once.

`id IN (SELECT …)` lets PostgreSQL's planner turn the test into a semi-join, and when it
misjudges how many rows match it walks a sort index across the whole table (seconds at a
million tasks). `id = ANY(ARRAY(SELECT …))` computes the candidate ids once and looks them
up by primary key: its cost follows the size of the candidate set, which for a unit's
subtree is what we want. SQLite plans `IN (SELECT …)` well and gets that.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, Lookup


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)
