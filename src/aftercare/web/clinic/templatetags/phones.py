"""``{{ number|phone }}``: a stored E.164 number as people write it; ``{{ number|tel }}``:
the tel: address a phone dials with one tap."""

from __future__ import annotations

from django import template

from aftercare.web.phones import display, tel_href

__all__ = ["phone", "tel"]

register = template.Library()


@register.filter
def phone(stored: str) -> str:
    return display(stored) if stored else stored


@register.filter
def tel(stored: str) -> str:
    return tel_href(stored) if stored else ""
