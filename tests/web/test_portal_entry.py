"""Getting into the portal: links that open once, and leaving. Asking for a new link is in
test_portal_new_link.py.

Alice (``patient``) has a link; Bob (``other_patient``) is another patient of her clinic.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web import ratelimit
from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    Channel,
    Patient,
    PatientLink,
    StaffMember,
)
from aftercare.web.protocol import base_protocol
from tests.web.conftest import NOW
from tests.web.test_portal_plan import set_now, sign_in, text, treat

pytestmark = pytest.mark.django_db

OPEN = reverse("portal:open")
NEW_LINK = reverse("portal:new_link")
GONE = "This link no longer works"


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    set_now(monkeypatch, NOW)


@pytest.fixture
def alice(patient: Patient) -> Patient:
    patient.email = "Alice@Example.com"
    patient.mobile = "+447700900123"  # as the patient form stores it
    patient.preferred_channel = Channel.EMAIL
    patient.consent_to_messages = True
    patient.save()
    return patient


def used(link: PatientLink) -> bool:
    link.refresh_from_db()
    return link.used_at is not None


# --- opening a link ---------------------------------------------------------------


def test_opening_a_link_shows_one_button_and_nothing_about_the_patient(
    client: Client, alice: Patient
) -> None:
    link, token = PatientLink.issue(alice, NOW)
    response = client.get(OPEN, {"t": token})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<button") == 1
    assert "Open my aftercare plan</button>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'<input type="hidden" name="t" value="{token}">' in html
    assert "Alpha Clinic" in html
    assert "Alice" not in html
    assert "example.com" not in html.lower()
    assert not used(link)


def test_head_and_repeated_gets_never_consume_the_link(client: Client, alice: Patient) -> None:
    link, token = PatientLink.issue(alice, NOW)
    for _ in range(3):
        assert client.head(OPEN, {"t": token}).status_code == 200
        assert client.get(OPEN, {"t": token}).status_code == 200
    assert not used(link)
    assert "aftercare.patient" not in client.session


def test_posting_the_button_consumes_the_link_and_signs_in(client: Client, alice: Patient) -> None:
    link, token = PatientLink.issue(alice, NOW)
    response = client.post(OPEN, {"t": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:today")
    assert used(link)
    assert client.get(reverse("portal:today")).status_code == 200
    event = AuditEvent.objects.get(action="portal.open")
    assert (event.actor_kind, event.actor_patient_id) == (ActorKind.PATIENT, alice.pk)
    assert (event.patient_id, event.object_id) == (alice.pk, str(link.pk))


def test_the_button_needs_a_csrf_token(alice: Patient) -> None:
    _, token = PatientLink.issue(alice, NOW)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(OPEN, {"t": token}).status_code == 403


def test_a_link_opens_only_once(client: Client, alice: Patient) -> None:
    _, token = PatientLink.issue(alice, NOW)
    assert Client().post(OPEN, {"t": token}).status_code == 302
    second = client.post(OPEN, {"t": token})
    assert second.status_code == 410
    assert GONE in second.content.decode()
    assert client.get(reverse("portal:today"))["Location"] == reverse("portal:signed_out")
    assert AuditEvent.objects.filter(action="portal.open").count() == 1


def test_of_two_racing_posts_only_one_opens_the_link(
    client: Client, alice: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, token = PatientLink.issue(alice, NOW)
    # The second request read the link before the first one consumed it.
    stale = PatientLink.find(token)
    assert Client().post(OPEN, {"t": token}).status_code == 302
    monkeypatch.setattr(PatientLink, "find", classmethod(lambda cls, token: stale))
    assert client.post(OPEN, {"t": token}).status_code == 410
    assert "aftercare.patient" not in client.session


def _expired(patient: Patient) -> str:
    return PatientLink.issue(patient, NOW - timedelta(days=8))[1]


def _revoked(patient: Patient) -> str:
    link, token = PatientLink.issue(patient, NOW)
    PatientLink.objects.filter(pk=link.pk).update(revoked_at=NOW)
    return token


def _used(patient: Patient) -> str:
    link, token = PatientLink.issue(patient, NOW)
    PatientLink.objects.filter(pk=link.pk).update(used_at=NOW)
    return token


BAD_TOKENS = {
    "expired": _expired,
    "revoked": _revoked,
    "used": _used,
    "unknown": lambda patient: "A" * 43,
    "empty": lambda patient: "",
    "garbage": lambda patient: "../../etc/passwd?'\"<script>",
    "non-ascii": lambda patient: "ünïcødé-😀",
    "huge": lambda patient: "x" * 10_000,
    "nul": lambda patient: "abc\x00def",
}


@pytest.mark.parametrize("case", BAD_TOKENS)
def test_every_bad_link_gets_the_same_page(client: Client, alice: Patient, case: str) -> None:
    token = BAD_TOKENS[case](alice)
    reference = client.get(OPEN, {"t": "A" * 43})
    for response in (client.get(OPEN, {"t": token}), client.post(OPEN, {"t": token})):
        assert response.status_code == 410
        html = response.content.decode()
        assert GONE in html
        assert f'href="{NEW_LINK}"' in html
        assert "Alice" not in html
        assert "Alpha Clinic" not in html
        assert text(html) == text(reference.content.decode())
    assert client.head(OPEN, {"t": token}).status_code == 410
    assert "aftercare.patient" not in client.session


def test_opening_links_is_limited_per_client(client: Client, alice: Patient) -> None:
    # A script trying tokens from one address meets a wall; a person elsewhere does not.
    statuses = [
        client.get(OPEN, {"t": f"guess-{n}"}, REMOTE_ADDR="192.0.2.7").status_code
        for n in range(ratelimit.OPENS_PER_CLIENT)
    ]
    assert statuses == [410] * ratelimit.OPENS_PER_CLIENT
    blocked = client.post(OPEN, {"t": "guess-x"}, REMOTE_ADDR="192.0.2.7")
    assert (blocked.status_code, blocked.content) == (
        429,
        b"Too many requests, try again in an hour.",
    )
    _, token = PatientLink.issue(alice, NOW)
    assert client.post(OPEN, {"t": token}, REMOTE_ADDR="198.51.100.3").status_code == 302


def test_a_link_without_a_token_gets_the_same_page(client: Client) -> None:
    assert client.get(OPEN).status_code == 410
    assert client.post(OPEN).status_code == 410


def test_the_session_lasts_through_aftercare_and_the_course(
    client: Client, alice: Patient, practitioner: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    treated_at = NOW - timedelta(days=3)
    treat(alice, practitioner, treated_at)
    treat(alice, practitioner, NOW - timedelta(days=1), cancelled_at=NOW)
    sign_in(client, alice)
    course = base_protocol().course
    until = treated_at + timedelta(days=course.max_gap_days, hours=base_protocol().horizon_hours)
    assert datetime.fromisoformat(client.session["aftercare.patient_until"]) == until
    # Visited every fortnight or so: a session idle for 14 days would end sooner.
    for days in range(13, (until - NOW).days, 13):
        set_now(monkeypatch, NOW + timedelta(days=days))
        assert client.get(reverse("portal:today")).status_code == 200
    set_now(monkeypatch, until - timedelta(minutes=1))
    assert client.get(reverse("portal:today")).status_code == 200
    set_now(monkeypatch, until)
    assert client.get(reverse("portal:today"))["Location"] == reverse("portal:signed_out")


def test_the_session_lasts_at_least_two_weeks(
    client: Client, alice: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, alice)
    until = NOW + timedelta(days=14)
    assert datetime.fromisoformat(client.session["aftercare.patient_until"]) == until
    set_now(monkeypatch, until + timedelta(seconds=1))
    assert client.get(reverse("portal:timeline"))["Location"] == reverse("portal:signed_out")


def test_a_session_is_limited_to_its_patient(
    client: Client, alice: Patient, other_patient: Patient, practitioner: StaffMember
) -> None:
    treat(other_patient, practitioner, NOW - timedelta(days=5))
    sign_in(client, alice)
    assert client.session["aftercare.patient"] == alice.pk
    html = client.get(reverse("portal:today"), {"patient": other_patient.pk}).content.decode()
    assert "has not recorded a treatment" in html
    assert "Bob" not in html
    # The session lives on the server: a forged session cookie is no session at all.
    client.cookies["sessionid"] = "forged" + str(other_patient.pk)
    assert client.get(reverse("portal:today"))["Location"] == reverse("portal:signed_out")


def test_staff_sign_in_does_not_open_the_portal(client: Client, practitioner: StaffMember) -> None:
    client.force_login(practitioner.user)
    assert client.get(reverse("portal:today"))["Location"] == reverse("portal:signed_out")


def test_leaving_ends_the_session(client: Client, alice: Patient) -> None:
    sign_in(client, alice)
    assert client.get(reverse("portal:leave")).status_code == 405
    response = client.post(reverse("portal:leave"))
    assert response["Location"] == reverse("portal:signed_out")
    assert client.get(reverse("portal:today"))["Location"] == reverse("portal:signed_out")
    shown = text(client.get(reverse("portal:signed_out")).content.decode())
    assert "Your session has ended" in shown
    assert "Ask for a new link" in shown


PAGES = [
    ("get", "open"),
    ("get", "new_link"),
    ("post", "new_link"),
    ("get", "signed_out"),
    ("post", "leave"),
    ("get", "today"),
    ("get", "timeline"),
    ("get", "can_i"),
    ("get", "check_in"),
    ("post", "check_in"),
    ("get", "course"),
]


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_no_portal_page_is_cached_or_leaks_a_referrer(
    client: Client,
    alice: Patient,
    practitioner: StaffMember,
    method: str,
    name: str,
) -> None:
    treat(alice, practitioner, NOW - timedelta(days=2))
    sign_in(client, alice)
    response = getattr(client, method)(reverse(f"portal:{name}"))
    assert response.status_code < 500
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
