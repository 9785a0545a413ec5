"""A sentence of the phrase table set as HTML, with some of its values in bold.

The phrase table holds plain text, and a page or the leaflet may set a value in bold
("between <strong>Mon 7 Jun 2027</strong> and …"). ``marked`` renders the sentence with a
mark in each value's place, escapes it, then puts each value in its mark's place: escaped,
unless it is markup already (``strong``). So the words stay the table's, in its order,
and nothing typed by a person (a patient's name) can become markup.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

__all__ = ["marked", "strong"]


def marked(sentence: Callable[..., str], **values: str) -> SafeString:
    """``sentence(**values)`` as HTML: its own words escaped, each value as given."""
    marks = {name: f"\x00{name}\x00" for name in values}
    html = str(escape(sentence(**marks)))
    for name, value in values.items():
        html = html.replace(marks[name], str(conditional_escape(value)))
    return mark_safe(html)  # noqa: S308 - every part was escaped above


def strong(value: str, *, isolated: bool = False) -> SafeString:
    """``value`` in bold; ``isolated``: also in <bdi>, so a name in a right-to-left script
    cannot reorder the words around it."""
    if isolated:
        return format_html("<strong><bdi>{}</bdi></strong>", value)
    return format_html("<strong>{}</strong>", value)
