"""CSV for spreadsheets, safe to open: a cell that a spreadsheet would run as a formula
(one starting with =, +, -, @, or a tab or carriage return) is written with a leading '."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

__all__ = ["csv_text"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(header: Sequence[str] | None, rows: Iterable[Sequence[object]]) -> str:
    """``rows`` as CSV, after ``header`` unless it is None (a later chunk of one file)."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header is not None:
        writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
