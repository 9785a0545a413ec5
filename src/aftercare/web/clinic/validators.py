"""Field validators shared by the clinic models."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

from aftercare.engine.errors import InputError
from aftercare.engine.localtime import zone

__all__ = [
    "validate_one_line",
    "validate_time_zone",
    "validate_visible_text",
    "without_invisible",
]

_KEPT = "\n\r\t"


def validate_time_zone(value: str) -> None:
    """An IANA zone name such as Europe/London; never a fixed offset or an abbreviation."""
    try:
        zone(value)
    except InputError as error:
        raise ValidationError(str(error), code="time_zone") from None


def validate_visible_text(value: str) -> None:
    """Text people type, without invisible control or formatting characters.

    Any script, right-to-left included, and emoji are fine; what is refused is what cannot
    be seen: control characters, zero-width characters and direction overrides (Unicode
    categories Cc and Cf), which can hide or reorder what staff read. Line breaks and tabs
    are allowed, for notes.
    """
    for character in value:
        if character in _KEPT:
            continue
        if unicodedata.category(character) in {"Cc", "Cf"}:
            name = unicodedata.name(character, f"U+{ord(character):04X}").lower()
            raise ValidationError(
                f"Please remove the invisible character ({name}) from this text.",
                code="invisible_character",
            )


def validate_one_line(value: str) -> None:
    """A name or label: no line breaks or tabs. A name can end up in a message header
    (the clinic's, in every email's subject), where a line break is refused or, worse,
    starts a header of its own; in a list it would break the table it sits in."""
    if any(character in value for character in "\n\r\t"):
        raise ValidationError(
            "Please write the name on one line, without tabs.", code="not_one_line"
        )


def without_invisible(value: str) -> str:
    """``value`` with the characters validate_visible_text refuses taken out: for text that
    must be kept whatever it holds (a patient's check-in through the API)."""
    return "".join(
        character
        for character in value
        if character in _KEPT or unicodedata.category(character) not in {"Cc", "Cf"}
    )
