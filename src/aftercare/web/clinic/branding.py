"""The clinic's branding: one accent colour and an optional logo, checked before they are kept.

The accent colour sits behind white text (the heading of every email), so it must leave
that text readable: WCAG 2.2 AA asks for a contrast of 4.5:1 for normal text. The logo is
accepted as a PNG or JPEG file of at most ``MAX_LOGO_BYTES``, decoded by Pillow, shrunk to
fit ``LOGO_BOX`` and written again as a PNG: what is kept is pixels only, without the
upload's metadata (a photo's location) or anything hidden after the image data, and every
export embeds it from the database, never from a file or an address.
"""

from __future__ import annotations

import io
import math
import re
import warnings

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

__all__ = [
    "DEFAULT_ACCENT_COLOUR",
    "LOGO_BOX",
    "MAX_LOGO_BYTES",
    "contrast_with_white",
    "is_accent_colour",
    "prepare_logo",
    "validate_accent_colour",
    "validate_logo_size",
]

DEFAULT_ACCENT_COLOUR = "#1f5f8b"
MIN_CONTRAST = 4.5
MAX_LOGO_BYTES = 1024 * 1024
# Wide enough for a word mark, small enough to print at a few centimetres.
LOGO_BOX = (600, 240)
# A larger picture is refused before it is decoded: a small file can hold a huge image.
MAX_LOGO_PIXELS = 4000 * 4000
LOGO_FORMATS = frozenset({"PNG", "JPEG"})
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _luminance(colour: str) -> float:
    """The relative luminance of '#rrggbb' (WCAG 2.2's definition)."""
    channels = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    """How far white text stands out from ``colour``: from 1 (none) to 21."""
    return 1.05 / (_luminance(colour) + 0.05)


def is_accent_colour(value: str) -> bool:
    """Whether ``value`` is a colour as '#rrggbb' (safe to place in a style)."""
    return _HEX_COLOUR.fullmatch(value) is not None


def validate_accent_colour(value: str) -> None:
    if not is_accent_colour(value):
        raise ValidationError(
            "Please give the colour as # and six hexadecimal digits, for example #1f5f8b.",
            code="colour_format",
        )
    contrast = contrast_with_white(value)
    if contrast < MIN_CONTRAST:
        raise ValidationError(
            f"Please choose a darker colour: white text on it must stay readable (a contrast "
            f"of {MIN_CONTRAST:g}:1 or more; this colour gives {_rounded_down(contrast):g}:1).",
            code="colour_contrast",
        )


def _rounded_down(contrast: float) -> float:
    """To two places, never up: 4.499 must not read as the 4.5 it falls short of."""
    return math.floor(contrast * 100) / 100


def prepare_logo(data: bytes) -> bytes:
    """The logo to keep: ``data`` (a PNG or JPEG file) as a PNG that fits ``LOGO_BOX``.

    Raises ValidationError with a message for the person who uploaded it."""
    validate_logo_size(len(data))
    image = _opened(data)
    if image.width * image.height > MAX_LOGO_PIXELS:
        raise ValidationError(
            "The logo is too many pixels across: please use one at most 4000 by 4000 pixels.",
            code="logo_pixels",
        )
    try:
        image.load()
        image.thumbnail(LOGO_BOX)
        kept = image.convert("RGBA" if _has_transparency(image) else "RGB")
        out = io.BytesIO()
        kept.save(out, format="PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise _unreadable() from None
    return out.getvalue()


def validate_logo_size(size: int) -> None:
    """Refuse a logo file over ``MAX_LOGO_BYTES``: checked before the file is read."""
    if size > MAX_LOGO_BYTES:
        raise ValidationError(
            f"The logo file is too large: please use one of at most {MAX_LOGO_BYTES // 1024} KB.",
            code="logo_size",
        )


def _opened(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(LOGO_FORMATS))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise _unreadable() from None
    except Image.DecompressionBombWarning:
        raise _unreadable() from None
    return image


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info


def _unreadable() -> ValidationError:
    return ValidationError(
        "The logo must be a PNG or JPEG picture, and this file could not be read as one.",
        code="logo_format",
    )
