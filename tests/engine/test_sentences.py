"""Sentences around dates and counts, pinned: one row per case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from aftercare.engine.sentences import (
    day_span,
    late_after,
    maintenance_due,
    next_between,
    session_of,
)
from aftercare.protocols.schema import Protocol


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (
            lambda p: day_span(date(2026, 12, 5), date(2026, 12, 19)),
            "Sat 5 Dec 2026 to Sat 19 Dec 2026",
        ),
        (lambda p: day_span(date(2026, 12, 5), date(2026, 12, 5)), "Sat 5 Dec 2026"),
        (lambda p: session_of(p, 2, 3), "Session 2 of 3"),
        (lambda p: session_of(p, 4, 3), "Session 4 of 3"),
        (lambda p: session_of(p, 2, 3, "Mini procedure"), "Mini procedure: session 2 of 3"),
        (
            lambda p: next_between(p, "Sat 19 Dec 2026", "Sat 2 Jan 2027"),
            "Between Sat 19 Dec 2026 and Sat 2 Jan 2027.",
        ),
        (
            lambda p: maintenance_due(p, "Mon 7 Jun 2027", "Tue 7 Dec 2027"),
            "A maintenance session is due between Mon 7 Jun 2027 and Tue 7 Dec 2027.",
        ),
        (
            lambda p: maintenance_due(p, "Mon 7 Jun 2027", "Tue 7 Dec 2027", planned=3),
            "Once your course of 3 sessions is complete, a maintenance session is due between"
            " Mon 7 Jun 2027 and Tue 7 Dec 2027.",
        ),
        (
            lambda p: late_after(p, date(2026, 11, 21), date(2026, 10, 2)),
            "Sat 21 Nov 2026, 50 days after the session before",
        ),
        (
            lambda p: late_after(p, date(2026, 11, 21), date(2026, 11, 20)),
            "Sat 21 Nov 2026, 1 day after the session before",
        ),
    ],
)
def test_it_words_dates_and_counts(
    mini: Protocol, write: Callable[[Protocol], str], expected: str
) -> None:
    assert write(mini) == expected
