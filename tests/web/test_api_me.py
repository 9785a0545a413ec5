"""The patient's own routes (``/api/v1/me/…``), for the portal's browser session.

Alice opens her link in a browser that enforces CSRF, as a real one does; her check-in
needs the portal's CSRF token in the ``X-CSRFToken`` header. Bob (``other_patient``) is
at the same clinic and has not been treated.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from aftercare.engine.timeline import plan
from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    CheckIn,
    Patient,
    PatientLink,
    StaffMember,
    Treatment,
)
from aftercare.web.protocol import base_protocol
from tests.web.conftest import NOW
from tests.web.test_api_access import NO_KEY, NOT_FOUND, fields, ok, problem
from tests.web.test_portal_plan import treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

ME = "/api/v1/me"
NO_TREATMENT = "No treatment has been recorded for you yet."
BAD_CSRF = "The portal's CSRF token is missing or wrong; reload the page and try again."
DISCHARGE = {"symptoms": ["discharge"], "trend": "worsening", "free_text": "Weeping since noon"}


class Browser:
    """A browser signed in through a patient link, holding the page's CSRF token."""

    def __init__(self, patient: Patient) -> None:
        self.client = Client(enforce_csrf_checks=True)
        _, token = PatientLink.issue(patient, NOW)
        page = self.client.get(reverse("portal:open"), {"t": token})
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert found is not None, page.content
        self.csrf = found.group(1)
        opened = self.client.post(
            reverse("portal:open"), {"t": token, "csrfmiddlewaretoken": self.csrf}
        )
        assert opened.status_code == 302, opened.content

    def get(self, path: str, query: dict[str, str] | None = None) -> Any:
        return self.client.get(f"{ME}/{path}", query or {})

    def post(self, path: str, body: object, csrf: bool = True) -> Any:
        headers = {"X-CSRFToken": self.csrf} if csrf else {}
        return self.client.post(
            f"{ME}/{path}", json.dumps(body), content_type="application/json", headers=headers
        )


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    """Alice, treated 50 hours ago (Thu 19 Nov, 12:30 GMT)."""
    return treat(patient, practitioner, NOW - timedelta(hours=50))


@pytest.fixture
def alice(patient: Patient) -> Browser:
    return Browser(patient)


@pytest.fixture
def bob(other_patient: Patient) -> Browser:
    return Browser(other_patient)


# --- reading --------------------------------------------------------------------------


def test_my_plan_now(alice: Browser, treated: Treatment, patient: Patient) -> None:
    shown = ok(alice.get("plan"))
    assert (shown["hours_after"], shown["day"]) == (50, 2)
    assert datetime.fromisoformat(shown["treated_at"]) == treated.treated_at
    engine = plan(base_protocol(), treated.treated_at)
    assert [i["id"] for i in shown["items"]] == [e.id for e in engine.entries]
    assert shown["next_change"]["at"] == "2026-11-22T12:30:00Z"
    event = AuditEvent.objects.get(action="portal.plan")
    assert (event.actor_kind, event.actor_patient_id) == (ActorKind.PATIENT, patient.pk)
    assert event.object_id == str(treated.pk)


def test_my_plan_at_another_moment(alice: Browser, treated: Treatment) -> None:
    shown = ok(alice.get("plan", {"at": "2026-11-24T12:30:00+00:00"}))
    assert (shown["hours_after"], shown["day"]) == (120, 5)


def test_my_plan_is_of_my_latest_treatment_that_has_happened(
    alice: Browser, treated: Treatment, patient: Patient, practitioner: StaffMember
) -> None:
    treat(patient, practitioner, NOW + timedelta(hours=20))  # booked for tomorrow
    treat(patient, practitioner, datetime(2026, 10, 1, 10, tzinfo=UTC))
    cancelled = treat(patient, practitioner, NOW - timedelta(hours=1))
    cancelled.cancelled_at = NOW
    cancelled.save()
    shown = ok(alice.get("plan"))
    assert datetime.fromisoformat(shown["treated_at"]) == treated.treated_at


def test_can_i(alice: Browser, treated: Treatment) -> None:
    answer = ok(alice.get("can-i", {"activity": "sauna"}))
    assert (answer["verdict"], answer["label"]) == ("not_yet", "Sauna")
    assert datetime.fromisoformat(answer["allowed_from"]) == datetime(
        2026, 12, 3, 12, 30, tzinfo=UTC
    )
    later = ok(alice.get("can-i", {"activity": "makeup", "at": "2026-11-21T00:00:00Z"}))
    assert (later["verdict"], later["answer"]) == (
        "allowed_if",
        "Makeup: yes, once the redness has gone and the skin has settled.",
    )
    assert later["requirements"][0] == "redness_resolved"
    never = ok(alice.get("can-i", {"activity": "picking", "at": "2026-12-31T00:00:00Z"}))
    assert (never["verdict"], never["allowed_from_hours"], never["answer"]) == (
        "never",
        None,
        "Picking at flakes or scabs: no, this is never advised.",
    )
    body = problem(alice.get("can-i", {"activity": "sauan"}), 422)
    assert body["detail"] == "unknown activity 'sauan'; did you mean sauna, intensive_sun?"
    assert fields(problem(alice.get("can-i"), 422)) == {"query.activity": "Field required"}


def test_ask(alice: Browser, treated: Treatment) -> None:
    answer = ok(alice.get("ask", {"q": "can i have a peel?"}))
    assert (answer["understood"], answer["outcome"]) == (False, "ask_back")
    assert answer["answer"] == (
        "Did you mean a chemical peel done by a practitioner, or a peeling product you use at home?"
    )
    assert answer["suggestions"] == ["other_facial_procedure", "peeling_agent"]
    laser = ok(alice.get("ask", {"q": "can i have laser?"}))
    assert laser["answer"].startswith("Another skin treatment on the area: not yet, from ")
    flying = ok(alice.get("ask", {"q": "Can I fly home on Saturday?"}))
    assert (flying["topic"], flying["answer"]) == (
        "flying",
        "Your aftercare leaflets don't cover flying. Ask your clinic.",
    )


def test_my_course(alice: Browser, treated: Treatment) -> None:
    course = ok(alice.get("course"))
    assert (course["sessions_done"], course["last_session"]) == (1, "2026-11-19")
    assert (course["next_earliest"], course["next_latest"]) == ("2026-12-17", "2026-12-31")


def test_my_calendar_and_leaflet(alice: Browser, treated: Treatment) -> None:
    calendar = alice.get("calendar.ics")
    assert calendar.status_code == 200
    assert calendar["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = icalendar.Calendar.from_ical(calendar.content)
    assert list(parsed.walk("VEVENT"))
    leaflet = alice.get("leaflet.pdf")
    assert leaflet["Content-Type"] == "application/pdf"
    assert leaflet.content.startswith(b"%PDF-")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"export.ics", "export.pdf"} <= actions


@pytest.mark.parametrize("path", ["plan", "can-i?activity=sauna", "calendar.ics", "leaflet.pdf"])
def test_without_a_treatment_it_says_so(bob: Browser, path: str) -> None:
    assert problem(bob.get(path), 409)["detail"] == NO_TREATMENT


def test_without_a_treatment_the_course_has_not_started(bob: Browser) -> None:
    course = ok(bob.get("course"))
    assert (course["sessions_done"], course["next_earliest"]) == (0, None)


# --- checking in ------------------------------------------------------------------------


def test_a_check_in_without_the_csrf_token_is_refused(alice: Browser, treated: Treatment) -> None:
    response = alice.post("check-ins", DISCHARGE, csrf=False)
    assert problem(response, 403)["detail"] == BAD_CSRF
    assert not CheckIn.objects.exists()


def test_a_check_in_with_a_wrong_token_is_refused(alice: Browser, treated: Treatment) -> None:
    alice.csrf = "x" * 64
    problem(alice.post("check-ins", DISCHARGE), 403)
    assert not CheckIn.objects.exists()


def test_a_check_in_with_the_token_is_triaged_at_once(
    alice: Browser, treated: Treatment, patient: Patient
) -> None:
    created = ok(alice.post("check-ins", DISCHARGE), 201)
    check_in = CheckIn.objects.get()
    assert (created["id"], created["treatment_id"]) == (check_in.pk, treated.pk)
    assert (created["level"], created["urgent_phone"]) == ("contact_clinic_now", "020 7946 0002")
    assert created["free_text"] == "Weeping since noon"
    assert created["hours_after"] == 50
    event = AuditEvent.objects.get(action="checkin.create")
    assert (event.actor_kind, event.actor_patient_id) == (ActorKind.PATIENT, patient.pk)
    assert ok(alice.get(f"check-ins/{check_in.pk}")) == created


def test_a_check_in_needs_a_treatment(bob: Browser) -> None:
    assert problem(bob.post("check-ins", DISCHARGE), 409)["detail"] == NO_TREATMENT


def test_a_check_in_body_is_checked(alice: Browser, treated: Treatment) -> None:
    body = problem(alice.post("check-ins", {"symptoms": ["redness"], "trend": "worse"}), 422)
    assert list(fields(body)) == ["body.trend"]
    empty = problem(alice.post("check-ins", {"symptoms": [], "free_text": " \u200b"}), 422)
    wanted = "name at least one symptom, or write what the patient notices in free_text"
    assert fields(empty) == {"body.symptoms": wanted, "body.free_text": wanted}
    assert not CheckIn.objects.exists()


def test_words_alone_are_a_check_in_read_for_red_flags(alice: Browser, treated: Treatment) -> None:
    created = ok(alice.post("check-ins", {"free_text": "my lips are swollen"}), 201)
    assert (created["level"], created["symptoms"], created["trend"]) == ("call_999", [], None)
    assert created["advice"] == (
        "Call 999 now: this can be a severe allergic reaction. Then tell your clinic."
    )
    assert created["urgent_phone"] == "020 7946 0002"


def test_invisible_characters_are_taken_out_of_the_words(
    alice: Browser, treated: Treatment
) -> None:
    created = ok(alice.post("check-ins", {"free_text": "\u202egnizoo ti\u202c oozing"}), 201)
    assert created["free_text"] == "gnizoo ti oozing"
    assert created["level"] == "contact_clinic_now"


def test_another_patients_check_in_is_not_found(
    alice: Browser, bob: Browser, treated: Treatment
) -> None:
    created = ok(alice.post("check-ins", DISCHARGE), 201)
    response = bob.get(f"check-ins/{created['id']}")
    assert problem(response, 404)["detail"] == NOT_FOUND
    assert b"Weeping" not in response.content
    denied = AuditEvent.objects.get(action="portal.checkin.view")
    assert (denied.outcome, denied.object_id, denied.patient_id) == (
        "denied",
        str(created["id"]),
        None,
    )


# --- who else may call them -------------------------------------------------------------


@pytest.mark.parametrize("path", ["plan", "course", "check-ins/1"])
def test_without_a_portal_session_the_me_routes_are_401(
    path: str, treated: Treatment, api_client: Client, staff_client: Client
) -> None:
    for client in (Client(), api_client, staff_client):
        response = client.get(f"{ME}/{path}")
        assert problem(response, 401)["detail"] == NO_KEY
        assert response["WWW-Authenticate"] == 'Bearer realm="aftercare"'


def test_an_expired_portal_session_is_401(
    alice: Browser, treated: Treatment, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(alice.get("course"))
    monkeypatch.setattr("aftercare.web.clock.now", lambda: NOW + timedelta(days=400))
    problem(alice.get("course"), 401)
