"""The patient's "can I …?" and next-session pages. Today and the timeline are in
test_portal_plan.py, whose helpers these tests share.

Alice (``patient``) is signed in through a link.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import (
    AuditEvent,
    Patient,
    StaffMember,
)
from tests.web.conftest import NOW
from tests.web.test_portal_plan import alice, page, set_now, text, treat

__all__ = ["alice"]  # a fixture, used by name

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    set_now(monkeypatch, NOW)


# --- can I …? -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "question", "expected"),
    [
        (
            10,
            "can I go to the gym?",
            "Strenuous exercise or heavy sweating: not yet, from Tue 24 Nov, 04:30 (day 3).",
        ),
        (10, "Makeup?", "Makeup: not yet, from Sun 22 Nov, 04:30 (day 1)."),
        (10, "makeup", "Only once the redness has gone and the skin has settled."),
        (
            30,
            "can i put on make-up",
            "Makeup: yes, once the redness has gone and the skin has settled.",
        ),
        (50, "a glass of prosecco?", "Alcohol: yes."),
        (50, "a glass of prosecco?", "Allowed since Sat 21 Nov, 12:30 (day 2)."),
        (10, "spf", "Sunscreen: yes, and you need to: every day for now."),
        (10, "spf", "SPF 50 or higher."),
        (
            10,
            "can i have a glass of wine tonight",
            "Alcohol on Sat 21 Nov, 20:00: not yet, from Mon 23 Nov, 04:30 (day 2).",
        ),
        (10, "can I fly?", "Your aftercare leaflets don't cover flying. Ask your clinic."),
    ],
)
def test_can_i_answers_from_the_protocol(
    alice: Client,
    patient: Patient,
    practitioner: StaffMember,
    hours: int,
    question: str,
    expected: str,
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=hours))
    assert expected in text(page(alice, "can_i", q=question))


def test_can_i_gives_the_reason_when_not_yet(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=10))
    shown = text(page(alice, "can_i", q="sauna"))
    assert "Sauna: not yet, from Sat 5 Dec, 04:30 (day 14)." in shown
    assert "Why: Heat widens blood vessels and can inflame skin that is still healing." in shown


def test_can_i_asks_back_with_close_matches(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=10))
    html = page(alice, "can_i", q="sauner")
    assert "Did you mean “Sauna”?" in text(html)
    assert '<a href="?q=Sauna">Sauna</a>' in html
    assert 'href="tel:+442079460001"' in html
    assert "Call Alpha Clinic on 020 7946 0001" in text(html)


def test_can_i_gives_the_urgent_advice_first(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=10))
    shown = text(page(alice, "can_i", q="my skin is oozing, can I wear makeup?"))
    assert (
        "You mentioned discharge or weeping. Please read this first: Contact your clinic now."
        in shown
    )
    assert "Makeup" not in shown


def test_can_i_says_it_does_not_know_without_suggestions(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=10))
    shown = text(page(alice, "can_i", q="💄"))
    assert "Sorry, I don't know “💄” yet." in shown
    assert "Did you mean" not in shown


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Type what you would like to do"),
        ("   ", "Type what you would like to do"),
        ("g" * 201, "at most 200 characters"),
        ("g" * 10_000, "at most 200 characters"),
        ("gym\u202e", "Please remove the invisible character"),
    ],
)
def test_can_i_refuses_blank_long_and_invisible_questions(
    alice: Client, patient: Patient, practitioner: StaffMember, question: str, message: str
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=10))
    response = alice.get(reverse("portal:can_i"), {"q": question})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action="portal.can_i").exists()


def test_can_i_shows_only_the_form_before_a_question(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW - timedelta(hours=10))
    html = page(alice, "can_i")
    assert '<label for="id_q">' in html
    assert "errorlist" not in html


# --- course ---------------------------------------------------------------------


def test_course_shows_the_next_session_window_and_maintenance(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, datetime(2026, 10, 10, 9, 0, tzinfo=UTC))
    treat(patient, practitioner, datetime(2026, 9, 5, 9, 0, tzinfo=UTC))
    shown = text(page(alice, "course"))
    assert "Session 2 of 3" in shown
    assert "Sat 5 Sep 2026 Sat 10 Oct 2026" in shown
    assert "Between Sat 7 Nov 2026 and Sat 21 Nov 2026." in shown
    assert "You are within this window now" in shown
    # After the third session (7 to 21 Nov), 6 to 12 months, as the staff page and PDF say.
    assert (
        "Once your course of 3 sessions is complete, a maintenance session is due between "
        "Fri 7 May 2027 and Sun 21 Nov 2027" in shown
    )


def test_course_uses_the_local_date_of_a_late_evening_session(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    # 23:30 UTC on 31 October is 00:30 on 1 November in Sydney.
    treat(patient, practitioner, datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "Australia/Sydney")
    shown = text(page(alice, "course"))
    assert "Sun 1 Nov 2026" in shown
    assert "Between Sun 29 Nov 2026 and Sun 13 Dec 2026." in shown
    assert "It is too early for your next session yet." in shown


def test_course_says_when_nothing_is_recorded(alice: Client) -> None:
    assert "has not recorded a treatment" in text(page(alice, "course"))


@pytest.mark.parametrize("sessions", [3, 6])
def test_course_once_complete_shows_only_maintenance(
    alice: Client, patient: Patient, practitioner: StaffMember, sessions: int
) -> None:
    # The protocol's usual course is 3 sessions: the reminders then turn to maintenance.
    for months in range(6 - sessions, 6):
        treat(patient, practitioner, datetime(2026, 5 + months, 1, 9, 0, tzinfo=UTC))
    shown = text(page(alice, "course"))
    assert "Next session of the course" not in shown
    assert "A maintenance session is due between Thu 1 Apr 2027 and Fri 1 Oct 2027" in shown
