"""The project's one clock.

Everything that decides by the time of day asks here: the web app through
``aftercare.web.clock`` (which tests freeze), the command line for its defaults ("today",
"now"). The engine never reads it; it is handed ``at``.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["now"]


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)
