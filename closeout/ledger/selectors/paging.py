"""What every page of rows a selector returns shares: its place among the pages."""

from __future__ import annotations


class Paged:
    """For a dataclass with `count` (rows on all pages), `number` (this page, from 1)
    and `size` (rows per page): the number of pages and the neighbours."""

    count: int
    number: int
    size: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages
