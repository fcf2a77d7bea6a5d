"""`field__any_of=<subquery>`: membership in a subquery, evaluated once.

`id IN (SELECT …)` lets PostgreSQL's planner turn the test into a semi-join, and when it
misjudges how many rows match it walks a sort index across the whole table (seconds at a
million tasks). `id = ANY(ARRAY(SELECT …))` computes the candidate ids once and looks them
up by primary key: its cost follows the size of the candidate set, which for a unit's
subtree is what we want. SQLite plans `IN (SELECT …)` well and gets that.
"""

from __future__ import annotations

import json
from array import array
from typing import Any

from django.db.models import Field, ForeignObject, Lookup


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


@Field.register_lookup
@ForeignObject.register_lookup
class IdsIn(Lookup):
    """`field__ids_in=[1, 2, …]`: membership in a list of integers, sent as one parameter.

    `field__in=list` makes Django prepare and bind every value (on 2,000 ids that costs
    more than running the query); here the list is one array (PostgreSQL) or one JSON
    text read by json_each (SQLite). Integers only: anything else is a TypeError. Given
    an `array.array("q", ids)` rather than a list, Django does not even walk the values
    looking for expressions.
    """

    lookup_name = "ids_in"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        values = list(self.rhs)
        if not isinstance(self.rhs, array) and not all(type(v) is int for v in values):
            raise TypeError("ids_in takes integers only")
        return values

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, self.rhs)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", (
            *lhs_params,
            json.dumps(self.rhs),
        )
