"""Pages of long lists that cost the same wherever they fall.

An OFFSET makes the database read every row before the page, so the last page of a large
clinic's list reads the whole clinic. Reading a page past the middle from the far end
(the same ordering reversed) bounds that by half the list, and the first and last pages
read only what they show.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

__all__ = ["EitherEndPaginator"]


class EitherEndPaginator(Paginator[Any]):
    """A Django paginator over an ordered queryset, reading from the nearer end; give
    ``count`` when the total is known without counting the rows."""

    def __init__(self, object_list: Any, per_page: int, count: int | None = None) -> None:
        super().__init__(object_list, per_page)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached property

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows: Any = self.object_list
        if isinstance(rows, QuerySet) and bottom > self.count - top:
            # Rows count - top .. count - bottom of the reversed order, put back in order.
            tail = list(rows.reverse()[self.count - top : self.count - bottom])
            tail.reverse()
            return Page(tail, number, self)
        return Page(rows[bottom:top], number, self)
