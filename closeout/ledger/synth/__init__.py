"""Synthetic ledgers (合成台账) for benchmarks: a whole province, reproducible from a seed.

This module only *generates*: it yields plain rows (tuples in the column order of
`TABLES`) in batches, and knows nothing about how they reach the database; `closeout gen`
streams them in with COPY or executemany. Everything comes from one `random.Random(seed)`
and a fixed reference date, so the same seed gives the same ledger on any machine.

The province (modelled on Shandong, whose 16 cities match the brief):
    province → 16 cities → ~10 districts/counties each → a few towns/streets each;
    each province, city and district with its party committee (党委), government (政府)
    and 15–30 departments; each city with supervising bodies (督查室, 督导组 …) and a
    management committee; unit groups ("各成员单位", "各区县党委、政府").
Then 4 inspections, 1–2 plans per city plus a provincial one, problems with categories
and sources, and tasks with the deadline variety of the seed plans, their units,
persons, milestones and progress history.
"""

from __future__ import annotations

from closeout.ledger.synth.base import AS_OF, TABLES, Config, Rows
from closeout.ledger.synth.ledger import Generator

__all__ = ["AS_OF", "TABLES", "Config", "Generator", "Rows"]
