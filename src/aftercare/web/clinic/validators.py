"""Field validators shared by the clinic models."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from aftercare.engine.errors import InputError
from aftercare.engine.localtime import zone

__all__ = ["validate_time_zone"]


def validate_time_zone(value: str) -> None:
    """An IANA zone name such as Europe/London; never a fixed offset or an abbreviation."""
    try:
        zone(value)
    except InputError as error:
        raise ValidationError(str(error), code="time_zone") from None
