"""The clinic's on-call contacts: who is told at once of an urgent check-in, and when.

Each contact is a UK mobile or an email address with the hours they cover on the clinic's
clock. Hours may run past midnight ("20:00-08:00"); the same start and end means all day.
Administrators write them one a line ("Dr Shah, 07700 900001, 08:00-20:00"); the clinic
stores them as JSON, in the order they are called.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from aftercare.engine.localtime import zone
from aftercare.web.clinic.models import Channel, Clinic
from aftercare.web.phones import e164

__all__ = [
    "OnCallContact",
    "contacts_of",
    "format_on_call",
    "is_covering",
    "on_call_at",
    "parse_on_call",
]

_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})$")
LINE_FORMAT = "name, mobile or email, hours (for example: Dr Shah, 07700 900001, 08:00-20:00)"


@dataclass(frozen=True, slots=True)
class OnCallContact:
    name: str
    # E.164 for a mobile, else an email address.
    to: str
    starts: time
    ends: time

    @property
    def channel(self) -> str:
        return Channel.SMS.value if self.to.startswith("+") else Channel.EMAIL.value

    @property
    def hours(self) -> str:
        return f"{self.starts:%H:%M}-{self.ends:%H:%M}"

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "to": self.to,
            "from": f"{self.starts:%H:%M}",
            "until": f"{self.ends:%H:%M}",
        }


def is_covering(contact: OnCallContact, local: time) -> bool:
    """Whether ``contact`` is on call at the clinic's wall-clock time ``local``; the end
    is not included, so "08:00-20:00" hands over at 20:00 exactly."""
    starts, ends = contact.starts, contact.ends
    if starts == ends:
        return True
    if starts < ends:
        return starts <= local < ends
    return local >= starts or local < ends


def contacts_of(clinic: Clinic) -> tuple[OnCallContact, ...]:
    """The clinic's on-call contacts, in the order they are called."""
    return tuple(
        OnCallContact(
            name=str(item["name"]),
            to=str(item["to"]),
            starts=time.fromisoformat(str(item["from"])),
            ends=time.fromisoformat(str(item["until"])),
        )
        for item in clinic.on_call or ()
        if isinstance(item, dict)
    )


def on_call_at(clinic: Clinic, at: datetime) -> tuple[OnCallContact, ...]:
    """The contacts covering the aware moment ``at``, on the clinic's clock, in order."""
    local = at.astimezone(zone(clinic.time_zone)).time()
    return tuple(c for c in contacts_of(clinic) if is_covering(c, local))


def parse_on_call(text: str) -> tuple[OnCallContact, ...]:
    """Contacts from an administrator's lines; ValidationError naming each bad line."""
    contacts, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            contacts.append(_parse_line(line))
        except ValidationError as error:
            errors.append(f"Line {number}: {error.messages[0]}")
    if errors:
        raise ValidationError(errors)
    return tuple(contacts)


def format_on_call(contacts: Iterable[OnCallContact]) -> str:
    return "\n".join(f"{c.name}, {c.to}, {c.hours}" for c in contacts)


def _parse_line(line: str) -> OnCallContact:
    parts = [part.strip() for part in line.split(",")]
    if len(parts) != 3 or not all(parts):
        raise ValidationError(f"write {LINE_FORMAT}.")
    name, address, hours = parts
    starts, ends = _hours(hours)
    return OnCallContact(name=name, to=_address(address), starts=starts, ends=ends)


def _address(text: str) -> str:
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(f"{text!r} is not an email address.") from None
        return text
    number = e164(text, mobile=True)
    # UK mobile numbers are the 07 range (+447); a landline cannot take a text message.
    if number is None or not number.startswith("+447"):
        raise ValidationError(f"{text!r} is not a UK mobile number or an email address.")
    return number


def _hours(text: str) -> tuple[time, time]:
    match = _HOURS.match(text)
    if match is None:
        raise ValidationError(f"{text!r} is not hours such as 08:00-20:00.")
    values: Sequence[int] = [int(group) for group in match.groups()]
    try:
        return time(values[0], values[1]), time(values[2], values[3])
    except ValueError:
        raise ValidationError(f"{text!r} is not hours such as 08:00-20:00.") from None
