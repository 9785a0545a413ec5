"""The leaflets' sentences around values, pinned as the HTML the template prints."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aftercare.exports import ClinicInfo
from aftercare.exports.leaflet_words import contact, symptom_heading, treated
from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol

CLINIC = ClinicInfo("Alpha & Co", "020 7946 0001", "020 7946 0002", "hello@alpha.example")


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
    ],
)
def test_it_words_the_leaflet(write: Callable[[Protocol], str], expected: str) -> None:
    assert write(load_protocol()) == expected
