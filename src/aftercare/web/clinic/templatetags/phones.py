"""``{{ number|phone }}``: a stored E.164 number as people write it."""

from __future__ import annotations

from django import template

from aftercare.web.phones import display

__all__ = ["phone"]

register = template.Library()


@register.filter
def phone(stored: str) -> str:
    return display(stored) if stored else stored
