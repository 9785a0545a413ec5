"""The leaflets' sentences around values: the patient's name and treatment, the clinic's
numbers, a symptom with the condition that makes it urgent, and the course's dates.

The words come from the phrase table of the protocol's language; values a leaflet sets
in bold are put in their places by ``markup.marked``, so the template prints each
sentence whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aftercare.engine.course import CourseOutlook
from aftercare.engine.explain import format_day
from aftercare.exports import ClinicInfo
from aftercare.exports.markup import marked, strong
from aftercare.protocols.phrasebook import phrases_for
from aftercare.protocols.schema import Protocol

__all__ = ["Contact", "NextSession", "contact", "next_session", "symptom_heading", "treated"]


@dataclass(frozen=True, slots=True)
class Contact:
    """'Call Alpha Clinic now on 020 7946 0002' and 'Telephone … or email ….'."""

    call_now: str
    telephone: str


def contact(protocol: Protocol, clinic: ClinicInfo) -> Contact:
    words = phrases_for(protocol.language).leaflet
    if clinic.email:
        telephone = words.telephone_or_email.format(phone=clinic.phone, email=clinic.email)
    else:
        telephone = words.telephone.format(phone=clinic.phone)
    return Contact(words.call_now.format(clinic=clinic.name, phone=clinic.urgent_phone), telephone)


def treated(protocol: Protocol, name: str, moment: str, zone: str) -> str:
    """'For <b>Alice Patient</b>, after your treatment on <b>Sat 21 Nov, 10:30</b>
    (Europe/London). All times are Europe/London times.', or without a name 'After …'."""
    words = phrases_for(protocol.language).leaflet
    when = {"moment": strong(moment), "zone": zone}
    if name:
        return marked(words.for_patient.format, name=strong(name, isolated=True), **when)
    return marked(words.for_anyone.format, **when)


def symptom_heading(protocol: Protocol, label: str, condition: str) -> str:
    """'<b>Blisters</b>, if getting worse or spreading' (``condition`` "worsening" or
    "severe"), or the label alone in bold when the symptom is urgent in itself."""
    words = phrases_for(protocol.language).leaflet
    phrase = {"worsening": words.worsening, "severe": words.severe}.get(condition, "{symptom}")
    return marked(phrase.format, symptom=strong(label))


@dataclass(frozen=True, slots=True)
class NextSession:
    """'This was session 1 of a planned 3.', 'Book your next session between … and ….'
    (or ""), 'Maintenance is due between … and ….' (or ""), and the protocol's words."""

    session: str
    window: str
    maintenance: str
    text: str


def next_session(protocol: Protocol, outlook: CourseOutlook) -> NextSession:
    """The next session's window, or maintenance once the planned course is complete."""
    words = phrases_for(protocol.language).leaflet
    gap, upkeep = outlook.next_session, outlook.maintenance
    return NextSession(
        session=words.session.format(session=outlook.sessions, planned=outlook.planned),
        window=""
        if gap is None
        else marked(words.next_window.format, **_bold_days(gap.earliest, gap.latest)),
        maintenance=""
        if upkeep is None
        else words.maintenance.format(**_days(upkeep.earliest, upkeep.latest)),
        text=protocol.course.text,
    )


def _days(start: date, end: date) -> dict[str, str]:
    return {"start": format_day(start), "end": format_day(end)}


def _bold_days(start: date, end: date) -> dict[str, str]:
    return {name: strong(day) for name, day in _days(start, end).items()}
