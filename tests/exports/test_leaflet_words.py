"""The leaflets' sentences around values, pinned as the HTML the template prints."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aftercare.exports import ClinicInfo
from aftercare.exports.leaflet_words import _css_content, contact, frame, symptom_heading, treated
from aftercare.protocols.load import load_protocol
from aftercare.protocols.overlay import apply_overlay_text
from aftercare.protocols.schema import Protocol

CLINIC = ClinicInfo("Alpha & Co", "020 7946 0001", "020 7946 0002", "hello@alpha.example")
BETA = ClinicInfo("<b>Beta</b>", "0161 496 0000", "999")
OVERLAY = (
    "id: later-alcohol\nprotocol: microneedling\ntitle: Later alcohol\nchanges:\n"
    "  - item: AC-alcohol\n    set: {allowed_from_hours: 96}\n"
)


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (
            lambda p: treated(p, "Zoë <Smith>", "Sat 21 Nov, 10:30", "Europe/London"),
            "For <strong><bdi>Zoë &lt;Smith&gt;</bdi></strong>, after your treatment on"
            " <strong>Sat 21 Nov, 10:30</strong> (Europe/London). All times are Europe/London"
            " times.",
        ),
        (
            lambda p: treated(p, "", "Sat 21 Nov, 10:30", "Europe/London"),
            "After your treatment on <strong>Sat 21 Nov, 10:30</strong> (Europe/London)."
            " All times are Europe/London times.",
        ),
        (
            lambda p: symptom_heading(p, "Blisters", "worsening"),
            "<strong>Blisters</strong>, if getting worse or spreading",
        ),
        (lambda p: symptom_heading(p, "Pain", "severe"), "<strong>Pain</strong>, if severe"),
        (lambda p: symptom_heading(p, "Fever", ""), "<strong>Fever</strong>"),
        (lambda p: contact(p, CLINIC).call_now, "Call Alpha & Co now on 020 7946 0002"),
        (
            lambda p: contact(p, CLINIC).telephone,
            "Telephone 020 7946 0001 or email hello@alpha.example.",
        ),
        (
            lambda p: contact(p, ClinicInfo("Beta", "0161 496 0000", "999")).telephone,
            "Telephone 0161 496 0000.",
        ),
        (lambda p: frame(p, CLINIC).title, "Aftercare plan from Alpha & Co"),
        (
            lambda p: frame(p, CLINIC).header,
            "<strong>Alpha &amp; Co</strong> · Telephone 020 7946 0001 · hello@alpha.example",
        ),
        (
            lambda p: frame(p, BETA).header,
            "<strong>&lt;b&gt;Beta&lt;/b&gt;</strong> · Telephone 0161 496 0000",
        ),
        (lambda p: frame(p, CLINIC).page_number, '"Page " counter(page) " of " counter(pages)'),
    ],
)
def test_it_words_the_leaflet(write: Callable[[Protocol], str], expected: str) -> None:
    assert write(load_protocol()) == expected


def test_the_clinic_leaflet_is_titled_with_the_protocol() -> None:
    protocol = load_protocol()
    assert frame(protocol, CLINIC, generic=True).title == f"{protocol.title}: Alpha & Co"


def test_the_staff_footer_names_the_version_and_the_clinic_changes() -> None:
    protocol = load_protocol()
    changed = apply_overlay_text(protocol, OVERLAY)
    assert frame(protocol, CLINIC).staff_footer == (
        f"For clinic staff: protocol {protocol.effective_id}, version {protocol.version}."
    )
    assert frame(changed, CLINIC).staff_footer == (
        f"For clinic staff: protocol {changed.effective_id}, version {changed.version},"
        " with this clinic's changes: Later alcohol."
    )


def test_a_page_number_phrase_cannot_end_its_css_string_or_style_element() -> None:
    shown = _css_content('Seite {page} "</style>\\ {pages}')
    assert shown == '"Seite " counter(page) " \\22 \\3c \\2f style\\3e \\5c  " counter(pages)'
