"""The printed leaflets: the patient's own local dates, the urgent box, A4 and at most two
pages, names that cannot garble the page, and no need for Django settings."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader

from aftercare.exports import ClinicInfo, Subject
from aftercare.exports.pdf import (
    clinic_leaflet,
    display_name,
    treatment_leaflet,
    treatment_leaflet_html,
)
from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Level, Protocol

LONDON = ZoneInfo("Europe/London")
CLINIC = ClinicInfo("Alpha Clinic", "020 7946 0001", "020 7946 0002", "hello@alpha.example")
A4 = (595.28, 841.89)


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_protocol()


def subject(protocol: Protocol, treated_at: datetime, **fields: Any) -> Subject:
    given: dict[str, Any] = {
        "patient_name": "Alice Patient",
        "zone_name": str(getattr(treated_at.tzinfo, "key", "Europe/London")),
        "clinic": CLINIC,
    }
    return Subject(protocol=protocol, treated_at=treated_at, **(given | fields))


def pages(pdf: bytes) -> list[str]:
    """Each page's text as read aloud: line breaks and runs of spaces collapsed."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def november(protocol: Protocol) -> bytes:
    return treatment_leaflet(subject(protocol, datetime(2026, 11, 21, 10, 30, tzinfo=LONDON)))


def test_it_is_one_or_two_a4_pages(november: bytes) -> None:
    reader = PdfReader(BytesIO(november))
    assert 1 <= len(reader.pages) <= 2
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == A4


def test_it_shows_the_patient_and_the_local_dates(november: bytes) -> None:
    text = " ".join(pages(november))
    assert "For Alice Patient, after your treatment on Sat 21 Nov, 10:30 (Europe/London)" in text
    assert "Day 3, Tue 24 Nov, 10:30" in text
    assert "Until Sat 5 Dec, 10:30: Avoid extreme heat" in text
    assert "Why: Heat widens blood vessels and can inflame skin that is still healing." in text


def test_it_puts_the_urgent_box_with_the_urgent_number_on_the_first_page(
    november: bytes, protocol: Protocol
) -> None:
    first = pages(november)[0]
    assert "When to contact us urgently" in first
    assert protocol.triage.advice[Level.CONTACT_CLINIC_NOW] in first
    assert "Call Alpha Clinic now on 020 7946 0002" in first
    assert "Pus or yellow crust: Pus is a sign of infection and needs an urgent review." in first
    assert "Contact us the same day" in first
    assert "Telephone 020 7946 0001 or email hello@alpha.example" in first


def urgent_boxes(first_page: str) -> dict[str, str]:
    """The text of the urgent box and of the same-day box on the first page."""
    urgent = first_page.split("When to contact us urgently", 1)[1]
    urgent, today = urgent.split("Contact us the same day Please contact", 1)
    return {"now": urgent, "today": today.split("What to do and avoid", 1)[0]}


@pytest.mark.parametrize(
    ("box", "line"),
    [
        ("now", "Pus or yellow crust: Pus is a sign of infection and needs an urgent review."),
        ("now", "Painful: Pain is not normal after microneedling."),
        (
            "now",
            "Blisters, if getting worse or spreading: Blisters that are spreading need advice "
            "now. Otherwise, contact us the same day.",
        ),
        (
            "now",
            "Cold sore, if getting worse or spreading: A spreading cold sore on treated skin "
            "needs advice now. Otherwise, contact us the same day.",
        ),
        (
            "now",
            "Rash, if getting worse or spreading: A spreading rash needs advice now. "
            "Otherwise, contact us the same day.",
        ),
        (
            "today",
            "Scabs or crusting: Scabs are uncommon after microneedling; your clinic should "
            "check them. Do not pick them.",
        ),
        (
            "today",
            "Darker patches of skin: Darker patches are rare and usually fade, but your clinic "
            "should see them.",
        ),
    ],
)
def test_a_symptom_sits_in_the_box_of_its_most_urgent_level(
    november: bytes, box: str, line: str
) -> None:
    boxes = urgent_boxes(pages(november)[0])
    assert f"• {line}" in boxes[box]
    assert line.split(":")[0].split(",")[0] not in boxes["today" if box == "now" else "now"]


def test_it_lists_each_symptom_once(november: bytes, protocol: Protocol) -> None:
    text = " ".join(pages(november))
    listed = [s.label for s in protocol.symptoms if s.red_flag or s.level is Level.CALL_999]
    assert "Blisters" in listed
    assert {label: text.count(f"{label}:") + text.count(f"{label},") for label in listed} == (
        dict.fromkeys(listed, 1)
    )


def test_the_protocol_version_is_a_staff_footer_on_every_page(
    november: bytes, protocol: Protocol
) -> None:
    read = pages(november)
    for number, page in enumerate(read, start=1):
        assert page.endswith(
            f"For clinic staff: protocol {protocol.effective_id}, version {protocol.version}. "
            f"Page {number} of {len(read)}"
        )
    assert " ".join(read).count(protocol.version) == len(read)


def logo_png(size: tuple[int, int] = (300, 120)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (31, 95, 139)).save(out, format="PNG")
    return out.getvalue()


def test_the_clinic_logo_is_embedded_when_set(protocol: Protocol) -> None:
    clinic = ClinicInfo("Alpha Clinic", "020 7946 0001", "020 7946 0002", logo_png=logo_png())
    treated_at = datetime(2026, 11, 21, 10, 30, tzinfo=LONDON)
    for pdf in (
        treatment_leaflet(subject(protocol, treated_at, clinic=clinic)),
        clinic_leaflet(protocol, clinic),
    ):
        first = PdfReader(BytesIO(pdf)).pages[0]
        [image] = first.images
        assert image.image is not None
        assert image.image.size == (300, 120)
    html = treatment_leaflet_html(subject(protocol, treated_at, clinic=clinic))
    assert '<img class="logo" src="data:image/png;base64,' in html
    assert 'alt="Alpha Clinic"' in html


def test_without_a_logo_no_image_is_embedded(november: bytes) -> None:
    assert all(not page.images for page in PdfReader(BytesIO(november)).pages)


def test_it_says_when_to_call_999_first(november: bytes) -> None:
    first = pages(november)[0]
    assert (
        "When to contact us urgently Call 999 now: this can be a severe allergic reaction. "
        "Then tell your clinic. Difficulty breathing, swelling of the lips, tongue or throat, "
        "or feeling faint: These can be signs of a severe allergic reaction (anaphylaxis), "
        "which is an emergency. Contact your clinic now."
    ) in first


def test_it_is_laid_out_by_the_leaflet_stylesheet(november: bytes) -> None:
    read = pages(november)
    # The page footer and the bullets come from leaflet.css; each bullet reads before its line.
    assert read[0].endswith(f"Page 1 of {len(read)}")
    assert "• Pus or yellow crust: Pus is a sign of infection" in read[0]
    assert "• Until Sat 5 Dec, 10:30: Avoid extreme heat" in " ".join(read)


@pytest.mark.parametrize(
    ("earlier", "expected", "absent"),
    [
        (
            (),
            "This was session 1 of a planned 3. Book your next session between "
            "Sat 19 Dec 2026 and Sat 2 Jan 2027.",
            "Maintenance is due between Sat 21 May 2027",
        ),
        (
            (date(2026, 9, 19), date(2026, 10, 20)),
            "This was session 3 of a planned 3. "
            "Maintenance is due between Fri 21 May 2027 and Sun 21 Nov 2027.",
            "Book your next",
        ),
    ],
)
def test_it_gives_the_next_session_or_maintenance(
    protocol: Protocol, earlier: tuple[date, ...], expected: str, absent: str
) -> None:
    treated_at = datetime(2026, 11, 21, 10, 30, tzinfo=LONDON)
    text = " ".join(
        pages(treatment_leaflet(subject(protocol, treated_at, earlier_sessions=earlier)))
    )
    assert expected in text
    assert absent not in text


def test_it_keeps_real_hours_across_the_clock_change(protocol: Protocol) -> None:
    # The evening before the clocks go back: 24 real hours later is 19:00 on the wall clock.
    treated_at = datetime(2026, 10, 24, 20, 0, tzinfo=LONDON)
    text = " ".join(pages(treatment_leaflet(subject(protocol, treated_at))))
    assert "after your treatment on Sat 24 Oct, 20:00 (Europe/London)" in text
    assert "Day 1, Sun 25 Oct, 19:00" in text
    assert "Until Sat 7 Nov, 19:00: Avoid extreme heat" in text
    assert "Sun 25 Oct, 20:00" not in text


def test_it_uses_the_patients_zone_not_the_machines(protocol: Protocol) -> None:
    utc = datetime(2026, 11, 21, 15, 30, tzinfo=ZoneInfo("UTC"))
    leaflet = subject(protocol, utc, zone_name="America/New_York")
    text = " ".join(pages(treatment_leaflet(leaflet)))
    assert "Sat 21 Nov, 10:30 (America/New_York)" in text
    assert "Day 3, Tue 24 Nov, 10:30" in text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Alice Patient", "Alice Patient"),
        ("Al\u202eice Patient", "Alice Patient"),
        ("\u2067Alice\u2069 \u200fPatient\u200e", "Alice Patient"),
        ("Alice\r\nPatient", "Alice Patient"),
        ("Alice\tPatient\x00", "Alice Patient"),
        ("Alice 😀 Patient", "Alice 😀 Patient"),
        ("مريم Patient", "مريم Patient"),
        ("A" * 300, "A" * 199 + "…"),
    ],
)
def test_display_name_drops_what_would_garble_a_line(typed: str, shown: str) -> None:
    assert display_name(typed) == shown


def test_a_name_with_an_override_emoji_and_crlf_does_not_reorder_the_line(
    protocol: Protocol,
) -> None:
    treated_at = datetime(2026, 11, 21, 10, 30, tzinfo=LONDON)
    name = "Al\u202eice 😀\r\nPatient"
    first = pages(treatment_leaflet(subject(protocol, treated_at, patient_name=name)))[0]
    assert "For Alice 😀 Patient, after your treatment on Sat 21 Nov, 10:30" in first
    assert "\u202e" not in first


def test_a_name_is_html_escaped_and_isolated(protocol: Protocol) -> None:
    treated_at = datetime(2026, 11, 21, 10, 30, tzinfo=LONDON)
    html = treatment_leaflet_html(subject(protocol, treated_at, patient_name="<b>Eve</b> & Co"))
    assert "<bdi>&lt;b&gt;Eve&lt;/b&gt; &amp; Co</bdi>" in html
    assert "<b>Eve" not in html


def test_the_clinic_leaflet_words_offsets_and_lists_its_sources(protocol: Protocol) -> None:
    pdf = clinic_leaflet(protocol, CLINIC)
    text = " ".join(pages(pdf))
    assert pages(pdf)[0].startswith("Alpha Clinic · Telephone 020 7946 0001")
    assert protocol.title in text
    assert "Call Alpha Clinic now on 020 7946 0002" in text
    assert "For the first 14 days (336 hours): Avoid extreme heat" in text
    assert "From 3 days (72 hours) after treatment:" in text
    assert "Sources" in text
    assert "S000, Clinic aftercare leaflet with a post-treatment timeline table:" in text
    assert text.endswith(
        f"For clinic staff: protocol {protocol.effective_id}, version {protocol.version}. "
        f"Page {len(pages(pdf))} of {len(pages(pdf))}"
    )
    # Generic: no one's dates.
    assert "2026" not in text


def test_it_renders_without_django_settings() -> None:
    script = (
        "import sys\n"
        "from datetime import datetime\n"
        "from zoneinfo import ZoneInfo\n"
        "from django.conf import settings\n"
        "from aftercare.exports import ClinicInfo, Subject\n"
        "from aftercare.exports.pdf import clinic_leaflet, treatment_leaflet\n"
        "from aftercare.protocols.load import load_protocol\n"
        "p = load_protocol()\n"
        "c = ClinicInfo('Alpha Clinic', '1', '2')\n"
        "at = datetime(2026, 11, 21, 10, 30, tzinfo=ZoneInfo('Europe/London'))\n"
        "s = Subject(protocol=p, treated_at=at, zone_name='Europe/London', clinic=c)\n"
        "assert not settings.configured\n"
        "sys.stdout.buffer.write(treatment_leaflet(s)[:5] + clinic_leaflet(p, c)[:5])\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, env=env, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b"%PDF-%PDF-"
