"""The leaflets' sentences around values: the patient's name and treatment, the clinic's
numbers, a symptom with the condition that makes it urgent, the course's dates, and the
frame of every page (title, header, footers).

The words come from the phrase table of the protocol's language; values a leaflet sets
in bold are put in their places by ``markup.marked``, so the template prints each
sentence whole.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date

from django.utils.safestring import SafeString, mark_safe

from aftercare.engine.course import CourseOutlook
from aftercare.engine.explain import format_day
from aftercare.exports import ClinicInfo
from aftercare.exports.markup import marked, strong
from aftercare.protocols.phrasebook import phrases_for
from aftercare.protocols.schema import Protocol

__all__ = [
    "Contact",
    "Frame",
    "NextSession",
    "contact",
    "frame",
    "next_session",
    "symptom_heading",
    "treated",
]


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


@dataclass(frozen=True, slots=True)
class Frame:
    """What frames each page: the PDF's title ('Aftercare plan from Alpha Clinic', or for
    the clinic's leaflet 'Microneedling aftercare: Alpha Clinic'), the line under the logo
    ('<b>Alpha Clinic</b> · Telephone … · email'), the staff's footer with the protocol's
    version, and the page number as a CSS ``content`` value."""

    title: str
    header: str
    staff_footer: str
    page_number: str


def frame(protocol: Protocol, clinic: ClinicInfo, *, generic: bool = False) -> Frame:
    words = phrases_for(protocol.language).leaflet
    if generic:
        title = words.clinic_title.format(title=protocol.title, clinic=clinic.name)
    else:
        title = words.title.format(clinic=clinic.name)
    numbers = {"clinic": strong(clinic.name), "phone": clinic.phone}
    if clinic.email:
        header = marked(words.header_with_email.format, email=clinic.email, **numbers)
    else:
        header = marked(words.header.format, **numbers)
    version = {"protocol": protocol.effective_id, "version": protocol.version}
    if protocol.overlay is None:
        footer = words.staff_footer.format(**version)
    else:
        footer = words.staff_footer_changed.format(changes=protocol.overlay.title, **version)
    return Frame(title, header, footer, _css_content(words.page))


def _css_content(phrase: str) -> SafeString:
    """'Page {page} of {pages}' as CSS: '"Page " counter(page) " of " counter(pages)'.

    The page counters exist only while the PDF is laid out, so the phrase becomes the
    ``content`` of the page's margin box. Its words are CSS strings, escaped so that
    nothing in them can end the string or the ``<style>`` element around it."""
    parts = []
    for text, field, _, _ in string.Formatter().parse(phrase):
        if text:
            parts.append(f'"{_css_string(text)}"')
        if field:
            parts.append(f"counter({field})")
    return mark_safe(" ".join(parts))  # noqa: S308 - every word was escaped for CSS above


def _css_string(text: str) -> str:
    return "".join(
        char if char.isalnum() or char in " .,:;-" else f"\\{ord(char):x} " for char in text
    )
