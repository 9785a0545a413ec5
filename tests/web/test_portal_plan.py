"""The patient's plan pages: today and the timeline. "Can I …?" and the next session are in
test_portal_can_i.py.

Alice (``patient``) is signed in through a link; Bob (``other_patient``) is at the same
clinic, and must never appear on her pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    Patient,
    PatientLink,
    StaffMember,
    Treatment,
)
from aftercare.web.protocol import base_protocol
from tests.web.conftest import CHAIN_QUERIES, NOW

pytestmark = pytest.mark.django_db

QueryBound = Callable[..., DjangoAssertNumQueries]
# The session, the patient, the treatments and the audit row (4), never one per row.
PAGE_QUERIES = 5 + CHAIN_QUERIES


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    set_now(monkeypatch, NOW)


def set_now(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr("aftercare.web.clock.now", lambda: moment)


def treat(
    patient: Patient,
    staff: StaffMember,
    treated_at: datetime,
    time_zone: str = "Europe/London",
    **fields: object,
) -> Treatment:
    protocol = base_protocol()
    defaults: dict[str, object] = {
        "areas": ["face"],
        "factors": {"needle_depth_mm": 1.0},
        "protocol_id": protocol.effective_id,
        "protocol_version": protocol.version,
    }
    return Treatment.objects.create(
        patient=patient,
        treated_at=treated_at,
        time_zone=time_zone,
        created_by=staff,
        **(defaults | fields),
    )


def sign_in(client: Client, patient: Patient, at: datetime = NOW) -> None:
    _, token = PatientLink.issue(patient, at)
    response = client.post(reverse("portal:open"), {"t": token})
    assert response.status_code == 302, response.content


def page(client: Client, name: str, **query: str) -> str:
    response = client.get(reverse(f"portal:{name}"), query)
    assert response.status_code == 200, response.content
    return response.content.decode()


def text(html: str) -> str:
    """The page as a person reads it: tags dropped, spaces collapsed."""
    words = " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())
    return re.sub(r" ([.,:;])", r"\1", words)


@pytest.fixture
def alice(client: Client, patient: Patient) -> Client:
    sign_in(client, patient)
    return client


# --- today ------------------------------------------------------------------


def test_it_counts_days_and_shows_the_local_treatment_date(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=3, hours=2))
    html = page(alice, "today")
    shown = text(html)
    assert "Day 3 of 14 after your treatment on Wed 18 Nov" in shown
    assert '<progress value="3" max="14" aria-labelledby="day-heading">' in html
    # Day 3 began at 12:30 today: what it allowed is new today.
    assert (
        "New today Since 12:30 you can: strenuous exercise or heavy sweating, soap or foaming "
        "cleanser (once the redness has gone and the skin has settled), vitamin C or "
        "antioxidant serum" in shown
    )
    assert "Do today Cleanse with a gentle, non-foaming cleanser" in shown
    # A routine kept up as a habit says until when, so "after that" follows a moment.
    assert (
        "Until Wed 2 Dec, 12:30: Wear sunscreen every day. SPF 50 or higher. Use a "
        "broad-spectrum sunscreen every day and reapply when outdoors. After that: Keep using "
        "sunscreen every day, as a habit."
    ) in shown
    assert (
        "Not yet From Mon 23 Nov, 12:30: fragranced facial product, gentle exfoliating "
        "cleanser, peptide serum, eye cream From Tue 24 Nov, 12:30: touching the treated skin"
        in shown
    )
    assert "From Wed 2 Dec, 12:30: sauna, steam room, very hot shower or bath and 11 more" in shown
    assert "Avoid alcohol" not in shown
    assert f'<a href="{reverse("portal:check_in")}" role="button" class="big-button">' in html
    assert "Call Alpha Clinic on 020 7946 0001" in shown
    assert 'href="tel:+442079460001"' in html


def test_day_zero_is_the_first_24_hours(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=23, minutes=59))
    assert "Day 0 of 14 after your treatment on Fri 20 Nov" in text(page(alice, "today"))


def test_it_shows_dates_across_the_uk_clock_change(
    alice: Client, patient: Patient, practitioner: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20:00 BST on the evening before the clocks go back; day 3 and day 14 fall at 19:00 GMT.
    treat(patient, practitioner, datetime(2026, 10, 24, 19, 0, tzinfo=UTC))
    set_now(monkeypatch, datetime(2026, 10, 27, 12, 0, tzinfo=UTC))
    shown = text(page(alice, "today"))
    assert "Day 2 of 14 after your treatment on Sat 24 Oct" in shown
    assert "New today From 19:00 you can: strenuous exercise or heavy sweating" in shown
    assert "From Sat 7 Nov, 19:00: sauna" in shown
    timeline = text(page(alice, "timeline"))
    assert "Mon 26 Oct From 19:00 (day 2) you can: alcohol." in timeline
    assert "Tue 27 Oct Today From 19:00 (day 3) you can: strenuous exercise" in timeline
    assert "Sat 7 Nov From 19:00 (day 14) you can: sauna" in timeline
    assert "Until then: Stay out of hot tubs and whirlpools." in timeline


def test_it_shows_times_in_the_treatment_zone(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=30), time_zone="America/New_York")
    shown = text(page(alice, "today"))
    # 08:30 UTC on 20 Nov is 03:30 in New York.
    assert "Day 1 of 14 after your treatment on Fri 20 Nov" in shown
    assert "From Sun 22 Nov, 03:30: alcohol" in shown


def test_it_says_when_no_treatment_is_recorded(alice: Client) -> None:
    shown = text(page(alice, "today"))
    assert "Your clinic has not recorded a treatment for you yet." in shown
    assert "Day" not in shown


def test_it_ignores_cancelled_and_future_treatments(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=10))
    treat(patient, practitioner, NOW - timedelta(days=1), cancelled_at=NOW)
    treat(patient, practitioner, NOW + timedelta(days=2))
    assert "Day 10 of 14 after your treatment on Wed 11 Nov" in text(page(alice, "today"))


def test_it_says_when_the_plan_is_behind_the_patient(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=20))
    shown = text(page(alice, "today"))
    assert "Day 20 after your treatment on Sun 1 Nov" in shown
    assert "Every step of your aftercare plan is now behind you." in shown
    assert "Not yet" not in shown
    # Sunscreen goes on as a habit, and picking is never advised.
    assert "Do today Keep using sunscreen every day, as a habit." in shown
    assert (
        "At any time Do not pick, scratch or peel off flakes or scabs; "
        "let them come away on their own."
    ) in shown


def test_it_never_shows_another_patients_data(
    alice: Client,
    patient: Patient,
    other_patient: Patient,
    practitioner: StaffMember,
    outsider: StaffMember,
) -> None:
    other_patient.email = "bob@example.com"
    other_patient.save()
    stranger = Patient.objects.create(clinic=outsider.clinic, given_name="Carol", family_name="Zed")
    treat(patient, practitioner, NOW - timedelta(days=3))
    treat(other_patient, practitioner, NOW - timedelta(days=1))
    treat(stranger, outsider, NOW - timedelta(days=2))
    tampered = {"patient": str(other_patient.pk), "treatment": "1", "pk": str(stranger.pk)}
    for name in ("today", "timeline", "course"):
        shown = page(alice, name, **tampered)
        assert "Bob" not in shown
        assert "bob@example.com" not in shown
        assert "Carol" not in shown
        assert "Beta Clinic" not in shown
    shown = text(page(alice, "today", **tampered))
    assert "Day 3 of 14 after your treatment on Wed 18 Nov" in shown


def test_it_audits_each_page_as_the_patient(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treatment = treat(patient, practitioner, NOW - timedelta(days=3))
    for name in ("today", "timeline", "course"):
        page(alice, name)
    page(alice, "can_i", q="gym")
    events = AuditEvent.objects.filter(action__startswith="portal.").exclude(action="portal.open")
    assert sorted(events.values_list("action", flat=True)) == [
        "portal.can_i",
        "portal.course",
        "portal.timeline",
        "portal.today",
    ]
    for event in events:
        assert event.actor_kind == ActorKind.PATIENT
        assert event.actor_patient_id == patient.pk
        assert event.patient_id == patient.pk
        assert event.object_id == str(treatment.pk)


@pytest.mark.parametrize("name", ["today", "timeline", "can_i", "course"])
def test_pages_make_a_bounded_number_of_queries(
    alice: Client,
    patient: Patient,
    practitioner: StaffMember,
    django_assert_max_num_queries: QueryBound,
    name: str,
) -> None:
    for days in range(0, 300, 10):
        treat(patient, practitioner, NOW - timedelta(days=days, hours=1))
    # The can-I page also lists the patient's questions to the clinic, and the course page
    # reads the lengths planned for the patient's courses.
    bound = PAGE_QUERIES + 1 if name in ("can_i", "course") else PAGE_QUERIES
    with django_assert_max_num_queries(bound):
        page(alice, name, **({"q": "gym"} if name == "can_i" else {}))


# --- timeline -----------------------------------------------------------------


def test_the_timeline_goes_day_by_day_with_reasons(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=30))
    html = page(alice, "timeline")
    shown = text(html)
    headings = [text(h) for h in re.findall(r"<h2>(.+?)</h2>", html)]
    assert headings == [
        "Fri 20 Nov (your treatment)",
        "Sat 21 Nov Today",
        "Sun 22 Nov",
        "Mon 23 Nov",
        "Wed 25 Nov",
        "Thu 26 Nov",
        "Fri 27 Nov",
        "Fri 4 Dec",
    ]
    assert "Medical microneedling on Fri 20 Nov. Times are Europe/London time." in shown
    assert "Every day until Fri 4 Dec, 08:30: Cleanse with a gentle, non-foaming cleanser" in shown
    assert "Fine from the start: You can shower as usual" in shown
    assert (
        "Sat 21 Nov Today From 08:30 (day 1) you can: "
        "makeup (once the redness has gone and the skin has settled)."
    ) in shown
    assert (
        "Until then: Avoid alcohol. Why: Alcohol widens blood vessels, "
        "which can add to redness, swelling and bruising." in shown
    )
    assert (
        "From 08:30 (day 14) you can stop the daily routine for: gentle non-foaming cleanser, "
        "moisturiser. Keep using sunscreen every day, as a habit." in shown
    )
    assert "you can: picking" not in shown.lower()
    # No stutters: each line says its time once.
    assert "Now:" not in shown
    assert "Allowed now" not in shown
    assert "Until Sun 22 Nov" not in shown


def test_the_timeline_marks_today_and_the_days_behind(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(days=4))
    html = page(alice, "timeline")
    assert html.count('<li class="day past">') == 4
    assert html.count('aria-current="date"') == 1
    # Nothing changes on day 4: the day is shown, to mark today.
    assert "Sat 21 Nov Today Nothing changes today." in text(html)


def test_the_timeline_names_a_moment_by_its_own_day(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    # Treated at 18:30 the day before yesterday: on day 1 until 18:30 today, then day 2.
    treat(patient, practitioner, NOW - timedelta(hours=44))
    shown = text(page(alice, "timeline"))
    assert "Sat 21 Nov Today From 18:30 (day 2) you can: alcohol." in shown
    assert "Day 1 of 14" in text(page(alice, "today"))
