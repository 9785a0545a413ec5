"""The printable leaflets: one treatment's plan on the patient's own dates, and the clinic's
generic leaflet of its effective protocol.

Both are HTML laid out by WeasyPrint, with the leaflet stylesheet
(``aftercare/leaflet/leaflet.css``). The treatment leaflet includes the plan's template
(``aftercare/plan.html``), which the staff pages include too, so the screen and the paper
show the same lines. The templates live in this package (``TEMPLATES``) and are rendered
by a standalone Django template ``Engine``, never by the configured backend, so the
leaflets render the same whether or not Django settings are configured (the command line
has none). Every value handed to a template is already a string: no setting
(localisation, time zone) is read.

Names are shown as typed, less what could garble a printed line: bidirectional controls
(U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C) are removed and control characters
such as CR and LF become spaces; the name is also wrapped in ``<bdi>`` so a name in a
right-to-left script cannot reorder the words around it.
"""

from __future__ import annotations

import base64
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from weasyprint import CSS, HTML  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

from aftercare.engine.course import course_outlook
from aftercare.engine.explain import (
    course_terms,
    describe_rule,
    format_moment,
    why_line,
)
from aftercare.engine.localtime import zone
from aftercare.engine.timeline import plan
from aftercare.exports import ClinicInfo, Subject
from aftercare.exports.leaflet_words import (
    NextSession,
    contact,
    frame,
    next_session,
    symptom_heading,
    treated,
)
from aftercare.exports.plan_view import Line, plan_view
from aftercare.protocols.schema import (
    ActivityRule,
    Citation,
    Level,
    Protocol,
    RuleKind,
    Symptom,
)

__all__ = [
    "clinic_leaflet",
    "clinic_leaflet_html",
    "display_name",
    "treatment_leaflet",
    "treatment_leaflet_html",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLESHEET = TEMPLATES / "aftercare" / "leaflet" / "leaflet.css"
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
LONGEST_NAME = 200


@dataclass(frozen=True, slots=True)
class SymptomLine:
    """A symptom in the box of the most urgent level it can reach, with the protocol's
    reason; ``heading``: its label in bold, with the condition that alone makes it so
    ("<b>Blisters</b>, if getting worse or spreading"), after which the template says
    when to call otherwise."""

    text: str
    reason: str
    heading: str = ""
    # The symptom's own level (a Level's value) when a condition raises it.
    usual: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Symptoms:
    advice: str
    lines: tuple[SymptomLine, ...]


@dataclass(frozen=True, slots=True)
class Urgent:
    """When to call: 999 (first), the clinic now (the urgent box), and the clinic today."""

    emergency: Symptoms
    now: Symptoms
    today: Symptoms


@dataclass(frozen=True, slots=True)
class Source:
    number: str
    text: str


def display_name(name: str) -> str:
    """The name as typed, without bidirectional controls, line breaks or runs of spaces."""
    kept = (
        " " if unicodedata.category(char) == "Cc" else char
        for char in name
        if char not in BIDI_CONTROLS
    )
    shown = " ".join("".join(kept).split())
    return shown if len(shown) <= LONGEST_NAME else shown[: LONGEST_NAME - 1] + "…"


def treatment_leaflet(subject: Subject) -> bytes:
    """The A4 leaflet of one treatment: urgent box, the plan on the patient's dates, the course."""
    return _pdf(treatment_leaflet_html(subject))


def clinic_leaflet(protocol: Protocol, clinic: ClinicInfo) -> bytes:
    """The clinic's generic A4 leaflet: every rule with its offset in words, and its sources."""
    return _pdf(clinic_leaflet_html(protocol, clinic))


def treatment_leaflet_html(subject: Subject) -> str:
    protocol = subject.protocol
    treated_at = subject.treated_at.astimezone(zone(subject.zone_name))
    moment = format_moment(treated_at, protocol.language)
    context = {
        "clinic": subject.clinic,
        "frame": frame(protocol, subject.clinic),
        "contact": contact(protocol, subject.clinic),
        "logo": _logo(subject.clinic),
        "treated": treated(protocol, display_name(subject.patient_name), moment, subject.zone_name),
        "urgent": _urgent(protocol),
        "plan": plan_view(protocol, plan(protocol, treated_at), reasons=True),
        "course": _next_session(protocol, treated_at.date(), subject),
        # The plan's template leaves the version to the leaflet's staff footer.
        "leaflet": True,
    }
    return _render("aftercare/leaflet/treatment.html", context)


def clinic_leaflet_html(protocol: Protocol, clinic: ClinicInfo) -> str:
    sources = _Sources(protocol)
    context = {
        "clinic": clinic,
        "frame": frame(protocol, clinic, generic=True),
        "contact": contact(protocol, clinic),
        "logo": _logo(clinic),
        "protocol": {"title": protocol.title},
        "urgent": _urgent(protocol),
        "sections": _rule_sections(protocol, sources),
        "course": _course_words(protocol, sources),
        "information": tuple(
            Line(item.text, sources.marks(item.sources)) for item in protocol.information
        ),
        "sources": sources.listed(),
    }
    return _render("aftercare/leaflet/clinic.html", context)


@cache
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATES)], autoescape=True, string_if_invalid="")


def _render(template: str, context: dict[str, Any]) -> str:
    return _engine().get_template(template).render(Context(context, autoescape=True))


def _pdf(html: str) -> bytes:
    document = HTML(string=html, base_url=str(TEMPLATES))
    pdf: bytes = document.write_pdf(stylesheets=[_stylesheet()], font_config=_fonts())
    return pdf


@cache
def _stylesheet() -> Any:
    """The leaflet CSS, parsed once: WeasyPrint only reads a stylesheet while it renders."""
    return CSS(filename=str(STYLESHEET))


_thread = threading.local()


def _fonts() -> Any:
    """This thread's fonts, kept between leaflets so Pango loads and caches them once."""
    fonts = getattr(_thread, "fonts", None)
    if fonts is None:
        fonts = _thread.fonts = FontConfiguration()
    return fonts


def _logo(clinic: ClinicInfo) -> str:
    """The clinic's logo as a data: address, so the leaflet fetches nothing; "" for none."""
    if not clinic.logo_png:
        return ""
    return f"data:image/png;base64,{base64.b64encode(clinic.logo_png).decode()}"


def _urgent(protocol: Protocol) -> Urgent:
    """Each red flag once, in the box of the most urgent level it can reach."""
    advice = protocol.triage.advice
    boxes: dict[Level, list[SymptomLine]] = {level: [] for level in Level}
    for symptom in protocol.symptoms:
        if symptom.red_flag or symptom.level is Level.CALL_999:
            level, line = _most_urgent(protocol, symptom)
            boxes[level].append(line)

    def box(level: Level) -> Symptoms:
        return Symptoms(advice[level], tuple(boxes[level]))

    return Urgent(
        emergency=box(Level.CALL_999),
        now=box(Level.CONTACT_CLINIC_NOW),
        today=box(Level.CONTACT_CLINIC),
    )


def _most_urgent(protocol: Protocol, symptom: Symptom) -> tuple[Level, SymptomLine]:
    """The most urgent level ``symptom`` reaches, and its line there with the condition
    that takes it there (the symptom's own level wins a tie: it needs no condition)."""
    reasons, label = symptom.reasons, symptom.label
    heading = symptom_heading(protocol, label, "")
    level, line = symptom.level, SymptomLine(label, reasons.beyond, heading)
    for condition, raised, reason in (
        ("worsening", symptom.if_worsening, reasons.worsening),
        ("severe", symptom.if_severe, reasons.severe),
    ):
        if raised is not None and raised.rank > level.rank:
            usual = symptom.level.value
            heading = symptom_heading(protocol, label, condition)
            line = SymptomLine(label, reason or reasons.beyond, heading, usual)
            level = raised
    return level, line


def _next_session(protocol: Protocol, treated_on: date, subject: Subject) -> NextSession:
    sessions = [*subject.earlier_sessions, treated_on]
    outlook = course_outlook(protocol, sessions, treated_on, subject.course_sessions)
    return next_session(protocol, outlook)


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lines: tuple[Line, ...]


def _rule_sections(protocol: Protocol, sources: _Sources) -> tuple[Section, ...]:
    def lines(*kinds: RuleKind) -> tuple[Line, ...]:
        rules = sorted(
            (rule for rule in protocol.aftercare if rule.kind in kinds),
            key=lambda rule: (
                not rule.is_never,
                rule.allowed_from_hours,
                rule.required_until_hours or 0,
            ),
        )
        return tuple(_rule_line(protocol, rule, sources) for rule in rules)

    return (
        Section("What to do", lines(RuleKind.DO)),
        Section("What to avoid, and for how long", lines(RuleKind.NEVER, RuleKind.AVOID)),
        Section("What you can do again, and when", lines(RuleKind.ALLOWED_FROM)),
    )


def _rule_line(protocol: Protocol, rule: ActivityRule, sources: _Sources) -> Line:
    reason = f"{rule.reason} {sources.marks(rule.sources)}"
    return Line(describe_rule(protocol, rule), reason, why_line(protocol, reason))


def _course_words(protocol: Protocol, sources: _Sources) -> Line:
    course = protocol.course
    return Line(f"{course.text} {course_terms(protocol)}", sources.marks(course.sources))


class _Sources:
    """Citations numbered in order of first use, each listed once."""

    def __init__(self, protocol: Protocol) -> None:
        self.titles = {
            leaflet.file: f"{leaflet.id}, {leaflet.title}" for leaflet in protocol.leaflets
        }
        self.numbers: dict[str, int] = {}

    def marks(self, citations: Iterable[Citation]) -> str:
        numbers = sorted({self._number(citation) for citation in citations})
        return "".join(f"[{number}]" for number in numbers)

    def listed(self) -> tuple[Source, ...]:
        return tuple(Source(str(number), text) for text, number in self.numbers.items())

    def _number(self, citation: Citation) -> int:
        return self.numbers.setdefault(self._text(citation), len(self.numbers) + 1)

    def _text(self, citation: Citation) -> str:
        if citation.leaflet is not None:
            title = self.titles.get(citation.leaflet, citation.leaflet)
            return f"{title}: “{citation.quote}”"
        note = f" ({citation.note})" if citation.note else ""
        return f"{citation.literature}{note}"
