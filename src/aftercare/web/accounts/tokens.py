"""Password reset tokens that read the project's clock, as every other time check does."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from aftercare.web import clock

__all__ = ["ClockTokenGenerator", "reset_tokens"]


class ClockTokenGenerator(PasswordResetTokenGenerator):
    """Django's generator, with its "now" from ``clock`` (naive UTC, as Django's own)."""

    def _now(self) -> datetime:
        return clock.now().replace(tzinfo=None)


reset_tokens = ClockTokenGenerator()
