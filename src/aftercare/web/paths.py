"""Paths of many rows' pages, reversed once per list rather than once per row.

A page listing fifty patients would otherwise resolve the same URL pattern fifty times,
the largest part of rendering such a page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

__all__ = ["path_for"]

# Digits, as the <int:pk> converter takes, that no real path holds.
_PLACEHOLDER = 987654321987


def path_for(name: str) -> Callable[[int], str]:
    """A function giving the path of the URL ``name`` for a record's ``pk``."""
    head, _, tail = reverse(name, kwargs={"pk": _PLACEHOLDER}).partition(str(_PLACEHOLDER))
    return lambda pk: f"{head}{int(pk)}{tail}"
