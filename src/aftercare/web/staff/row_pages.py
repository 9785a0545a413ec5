"""The dashboard's lists a page at a time: a busy clinic has hundreds of rows, and thousands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["MAX_PAGE", "PAGE_SIZE", "RowPage", "page_number"]

PAGE_SIZE = 50
MAX_PAGE = 10_000

RowT = TypeVar("RowT")


@dataclass(frozen=True, slots=True)
class RowPage(Generic[RowT]):
    """One page of a dashboard list, and whether another follows."""

    rows: list[RowT]
    number: int
    more: bool

    @property
    def start(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def end(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.rows)


def page_number(text: str | None) -> int:
    """The page asked for; anything that is not a page number is the first page."""
    try:
        return max(1, min(int(text or 1), MAX_PAGE))
    except ValueError:
        return 1
