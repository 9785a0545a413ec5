"""The portal's words for what is never advised, what goes on as a habit, and what waits on
the skin: never "allowed" for picking, sunscreen never "ends", no bare yes for a skin-state
gate, no "You can …" among what is not yet allowed (issue 14, "Answers and wording").

Alice (``patient``) is signed in through a link; the clock is frozen at NOW.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from aftercare.web.clinic.models import Patient, StaffMember
from tests.web.conftest import NOW
from tests.web.test_portal_plan import page, set_now, sign_in, text, treat

pytestmark = pytest.mark.django_db

PICKING = (
    "Always: Do not pick, scratch or peel off flakes or scabs; let them come away on their own."
)
KEEP_SUNSCREEN = "Keep using sunscreen every day, as a habit."
GATE = "once the redness has gone and the skin has settled"


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    set_now(monkeypatch, NOW)


@pytest.fixture
def alice(client: Client, patient: Patient) -> Client:
    sign_in(client, patient)
    return client


def section(html: str, heading_id: str) -> str:
    """The card under the heading ``heading_id``, as a person reads it."""
    match = re.search(rf'<h2 id="{heading_id}">(.*?)</section>', html, re.DOTALL)
    assert match is not None, heading_id
    return text(match.group(1))


def test_not_yet_names_each_gate_beside_its_item_and_never_says_you_can(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=10))
    html = page(alice, "today")
    not_yet = section(html, "not-yet-heading")
    assert f"From Sun 22 Nov, 04:30: makeup ({GATE})" in not_yet
    assert "You can" not in not_yet
    assert "picking" not in not_yet.lower()
    assert section(html, "never-heading") == "At any time " + PICKING.removeprefix("Always: ")


def test_today_gives_a_gated_yes_in_what_is_new(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=26))
    shown = section(page(alice, "today"), "changes-heading")
    assert f"Since 12:30 you can: makeup ({GATE})." in shown


def test_after_day_14_picking_is_still_never_and_sunscreen_goes_on(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=15))
    html = page(alice, "today")
    assert section(html, "never-heading") == "At any time " + PICKING.removeprefix("Always: ")
    assert section(html, "do-heading") == f"Do today {KEEP_SUNSCREEN}"
    assert "picking" not in text(html).split("What you can do again")[-1].lower()


def test_the_day_14_change_says_to_keep_using_sunscreen_and_never_allows_picking(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=14, hours=1))
    shown = section(page(alice, "today"), "changes-heading")
    # The change came an hour ago: "Since", as for what it allows.
    assert (
        "Since 13:30 you can stop the daily routine for: gentle non-foaming cleanser, "
        f"moisturiser. {KEEP_SUNSCREEN}"
    ) in shown
    assert "picking" not in shown.lower()


def test_the_timeline_never_allows_picking_and_keeps_sunscreen_going(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=15))
    shown = text(page(alice, "timeline"))
    assert "At any time: " + PICKING.removeprefix("Always: ") in shown
    assert f"moisturiser. {KEEP_SUNSCREEN}" in shown
    assert f"you can: makeup ({GATE})." in shown
    assert "you can: picking" not in shown.lower()
    assert "you can: makeup." not in shown


@pytest.mark.parametrize(
    ("hours", "question", "sentence"),
    [
        (
            400,
            "can I pick the flaky bits",
            "Picking at flakes or scabs: no, this is never advised.",
        ),
        (30, "can I wear eyeliner", f"Makeup: yes, {GATE}."),
        (2, "can I have a warm shower", "Warm shower: yes."),
        (
            30,
            "can I have laser",
            "Another skin treatment on the area: not yet, from Fri 4 Dec, 08:30 (day 14).",
        ),
        (
            30,
            "dermaplaning",
            "Another skin treatment on the area: not yet, from Fri 4 Dec, 08:30 (day 14).",
        ),
        (
            30,
            "can I use BHA",
            "Glycolic, salicylic or other acid product (AHA, BHA): "
            "not yet, from Fri 27 Nov, 08:30 (day 7).",
        ),
        (
            30,
            "Differin",
            "Retinol, retinoid or vitamin A product: not yet, from Fri 27 Nov, 08:30 (day 7).",
        ),
        (30, "facial oil", "Facial oil: not yet, from Fri 27 Nov, 08:30 (day 7)."),
        (30, "clay mask", "Clay or peel-off mask: not yet, from Fri 4 Dec, 08:30 (day 14)."),
    ],
)
def test_the_can_i_box_answers_each_in_its_own_rule(
    alice: Client,
    patient: Patient,
    practitioner: StaffMember,
    hours: int,
    question: str,
    sentence: str,
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=hours))
    html = page(alice, "can_i", q=question)
    (heading,) = re.findall(
        r'<section class="card answer[^"]*"[^>]*>\s*<h2>(.*?)</h2>', html, re.DOTALL
    )
    assert text(heading) == sentence


def test_the_can_i_box_says_to_keep_a_shower_lukewarm(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=2))
    shown = text(page(alice, "can_i", q="can I have a warm shower"))
    assert "You can shower as usual; keep the water warm or lukewarm, not very hot." in shown


def test_the_leaflet_never_allows_picking_and_keeps_sunscreen_going(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=10))
    response = alice.get(reverse("portal:leaflet"))
    assert response.status_code == 200
    pdf = b"".join(response) if response.streaming else response.content
    shown = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages
    )
    assert PICKING in shown
    assert KEEP_SUNSCREEN in shown
    assert f"Makeup ({GATE})" in shown
    assert "Picking at flakes" not in shown
    assert "keep it up after that" not in shown


def test_the_calendar_never_allows_picking_or_gives_a_bare_yes(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=10))
    response = alice.get(reverse("portal:calendar"))
    assert response.status_code == 200
    summaries = [
        str(event["SUMMARY"]) for event in Calendar.from_ical(response.content).walk("VEVENT")
    ]
    assert f"From Sun 22 Nov: makeup ({GATE})" in summaries
    assert KEEP_SUNSCREEN.rstrip(".") in summaries
    assert [summary for summary in summaries if "picking" in summary.lower()] == []
