"""``{% icon "phone" %}``: one of the vendored Lucide icons, inline and hidden from screen
readers (the words beside it say what it means).

Inline, the icon is drawn in ``currentColor``, so it follows the text colour of the theme;
each file is read once per process.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.utils.safestring import SafeString, mark_safe

__all__ = ["icon"]

register = template.Library()

ICONS = Path(__file__).resolve().parents[2] / "static" / "aftercare" / "icons"
_NAME = re.compile(r"[a-z][a-z0-9-]*")
_LICENCE_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)


@register.simple_tag
def icon(name: str) -> SafeString:
    return _icon(name)


@cache
def _icon(name: str) -> SafeString:
    if not _NAME.fullmatch(name):
        raise template.TemplateSyntaxError(f"no icon called {name!r}")
    path = ICONS / f"{name}.svg"
    if not path.is_file():
        raise template.TemplateSyntaxError(f"no icon called {name!r} in {ICONS}")
    svg = _LICENCE_COMMENT.sub("", path.read_text(encoding="utf-8")).strip()
    svg = " ".join(svg.split()).replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    # The file is ours, vendored unchanged from the icon set: nothing a person typed.
    return mark_safe(svg)  # noqa: S308
