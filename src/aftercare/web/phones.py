"""Phone numbers in one form, E.164 ("+447700900123"), so that matching is exact.

libphonenumber reads what people type ("07700 900123", "+44 7700 900123", "0044 …") and
numbers without a country code count as UK ones. Numbers are checked for a possible length
only, not against the live numbering plan, so Ofcom's drama ranges used in examples pass.
"""

from __future__ import annotations

import re

import phonenumbers

__all__ = ["DEFAULT_REGION", "display", "e164", "tel_href"]

DEFAULT_REGION = "GB"
_TYPED = re.compile(r"[0-9+ ()\-.]+")


def e164(text: str, *, mobile: bool = False, region: str = DEFAULT_REGION) -> str | None:
    """``text`` as an E.164 number, or None when it is not a phone number (with ``mobile``,
    not one of a length a mobile number can have)."""
    text = text.strip()
    if not _TYPED.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    kind = phonenumbers.PhoneNumberType.MOBILE if mobile else None
    possible = (
        phonenumbers.is_possible_number_for_type(number, kind)
        if kind is not None
        else phonenumbers.is_possible_number(number)
    )
    if not possible:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def tel_href(phone: str) -> str:
    """A tap-to-call address: 'tel:+442079460002' for '020 7946 0002'."""
    number = e164(phone)
    if number is not None:
        return f"tel:{number}"
    return "tel:" + re.sub(r"[^0-9+]", "", phone)


def display(stored: str, *, region: str = DEFAULT_REGION) -> str:
    """A stored E.164 number as people write it: "07700 900123" for a UK number, "+33 6 12
    34 56 78" for another country's; anything that does not parse is shown as stored."""
    try:
        number = phonenumbers.parse(stored, region)
    except phonenumbers.NumberParseException:
        return stored
    # By country code, not region: Ofcom's drama ranges are not "valid" numbers of any region.
    if number.country_code == phonenumbers.country_code_for_region(region):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
