"""Patient factors: age in whole years on a given day."""

from __future__ import annotations

from datetime import date

import pytest

from aftercare.engine.model import age_on


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1960, 11, 21), date(2025, 11, 20), 64),
        (date(1960, 11, 21), date(2025, 11, 21), 65),
        (date(2000, 2, 29), date(2025, 2, 28), 24),
        (date(2000, 2, 29), date(2025, 3, 1), 25),
        (date(2000, 2, 29), date(2028, 2, 29), 28),
    ],
)
def test_age_counts_whole_years(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age
