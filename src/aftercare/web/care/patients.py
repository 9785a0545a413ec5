"""A patient's details as the care layer takes them, and the checks every way in shares.

Messages go out only by a channel the patient has an address for and has agreed to, so
a channel without its address or without consent is refused rather than saved as a record
the reminders would silently skip. The staff form and the API each check what they were
sent with these rules and turn it into one ``PatientInput``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date

from aftercare.web.clinic.models import Channel
from aftercare.web.phones import e164

__all__ = [
    "EARLIEST_BIRTH",
    "NOT_A_MOBILE",
    "PatientInput",
    "birth_problem",
    "channel_problems",
    "mobile_number",
]

EARLIEST_BIRTH = date(1900, 1, 1)
NOT_A_MOBILE = (
    "Enter a mobile number such as 07700 900123, or +44 7700 900123; "
    "numbers from outside the UK start with + and the country code."
)


@dataclass(frozen=True, slots=True)
class PatientInput:
    """A patient's details as staff or a clinic system gave them, already checked: names
    trimmed, the mobile in E.164, a message channel with its address and consent."""

    given_name: str
    family_name: str
    date_of_birth: date | None = None
    email: str = ""
    mobile: str = ""
    preferred_channel: str = Channel.NONE
    consent_to_messages: bool = False
    # Sessions planned for the course of each procedure named (None: back to the
    # protocol's usual), each within that protocol's bounds; those not named keep theirs.
    courses: Mapping[str, int | None] = field(default_factory=dict)

    @classmethod
    def detail_names(cls) -> tuple[str, ...]:
        """The names of the patient's own columns among the fields."""
        return tuple(f.name for f in fields(cls) if f.name != "courses")

    def details(self) -> dict[str, object]:
        """The patient's own columns, as ``Patient`` takes them."""
        return {name: getattr(self, name) for name in self.detail_names()}


def birth_problem(born: date | None, today: date) -> str | None:
    """Why ``born`` cannot be a date of birth on the clinic's ``today``, or None."""
    if born is not None and born > today:
        return "The date of birth cannot be in the future."
    if born is not None and born < EARLIEST_BIRTH:
        return "The date of birth cannot be before 1900."
    return None


def mobile_number(typed: str) -> str | None:
    """``typed`` as stored, in E.164 ("+447700900123"), so a patient asking for a new link
    by any spelling of their number matches it exactly; "" for none; None when it is not
    a mobile number (``NOT_A_MOBILE`` says what to type)."""
    typed = typed.strip()
    if not typed:
        return ""
    return e164(typed, mobile=True)


def channel_problems(
    channel: str, email: str, mobile: str, consent: bool, refused: frozenset[str]
) -> list[tuple[str, str]]:
    """(field, problem) for a channel without its address or without consent; an address
    already ``refused`` for another reason is not named twice."""
    problems = []
    if channel == Channel.EMAIL and not email and "email" not in refused:
        problems.append(("email", "Give an email address to send messages by email."))
    if channel == Channel.SMS and not mobile and "mobile" not in refused:
        problems.append(("mobile", "Give a mobile number to send text messages."))
    if channel in (Channel.EMAIL, Channel.SMS) and not consent:
        problems.append(
            (
                "consent_to_messages",
                "Messages are not sent without the patient's agreement: tick this box, "
                "or choose 'No messages'.",
            )
        )
    return problems
