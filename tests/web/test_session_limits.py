"""How long staff and patients stay signed in, on the project's clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from aftercare.web.clinic.models import Clinic, Patient, StaffMember
from tests.web.conftest import NOW, sign_in_staff
from tests.web.test_portal_plan import set_now, sign_in, text, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

IDLE_END = "You were signed out after 30 minutes without activity."


def at(monkeypatch: pytest.MonkeyPatch, client: Client, after: timedelta, path: str) -> int:
    set_now(monkeypatch, NOW + after)
    return client.get(path).status_code


def test_a_staff_session_ends_after_30_idle_minutes(
    client: Client, practitioner: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_staff(client, practitioner)
    assert at(monkeypatch, client, timedelta(minutes=29, seconds=59), "/clinic/") == 200
    # Each page counts as activity: the next half hour starts again from there.
    assert at(monkeypatch, client, timedelta(minutes=59), "/clinic/") == 200
    set_now(monkeypatch, NOW + timedelta(minutes=89))
    ended = client.get("/clinic/patients/")
    assert ended["Location"] == "/login?next=/clinic/patients/"
    assert IDLE_END in text(client.get(ended["Location"]).content.decode())
    assert client.get("/clinic/")["Location"] == "/login?next=/clinic/"


def test_the_clinic_chooses_a_shorter_idle_time(
    client: Client, practitioner: StaffMember, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic.staff_idle_minutes = 10
    clinic.save()
    sign_in_staff(client, practitioner)
    assert at(monkeypatch, client, timedelta(minutes=9), "/clinic/") == 200
    assert at(monkeypatch, client, timedelta(minutes=19), "/clinic/") == 302


def test_a_staff_session_ends_after_12_hours_however_busy(
    client: Client, practitioner: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_staff(client, practitioner)
    for minutes in range(20, 12 * 60, 20):
        assert at(monkeypatch, client, timedelta(minutes=minutes), "/clinic/") == 200, minutes
    set_now(monkeypatch, NOW + timedelta(hours=12))
    ended = client.get("/clinic/", follow=True)
    assert "You were signed out after 12 hours signed in; please sign in again." in text(
        ended.content.decode()
    )


def test_staff_pages_warn_before_the_idle_end(
    client: Client, practitioner: StaffMember, clinic: Clinic
) -> None:
    clinic.staff_idle_minutes = 15
    clinic.save()
    page = sign_in_staff(client, practitioner).get("/clinic/patients/").content.decode()
    assert (
        '<dialog id="idle-warning" aria-labelledby="idle-warning-title" data-idle-minutes="15">'
        in page
    )
    assert '<input type="hidden" name="next" value="/clinic/patients/">' in page
    assert '<script src="/static/aftercare/idle.js" defer></script>' in page


def test_staying_signed_in_counts_as_activity(
    client: Client, practitioner: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_staff(client, practitioner)
    set_now(monkeypatch, NOW + timedelta(minutes=28))
    kept = client.post("/account/keep-alive", {"next": "/clinic/patients/"})
    assert kept["Location"] == "/clinic/patients/"
    assert at(monkeypatch, client, timedelta(minutes=57), "/clinic/") == 200


def test_the_staff_session_cookie_ends_with_the_browser(
    client: Client, practitioner: StaffMember
) -> None:
    practitioner.user.set_password("quiet-harbour-lantern-42")
    practitioner.user.save()
    response = client.post(
        "/login", {"username": "practitioner", "password": "quiet-harbour-lantern-42"}
    )
    cookie = response.cookies["sessionid"]
    assert (cookie["expires"], cookie["max-age"]) == ("", "")


# --- patients -------------------------------------------------------------------------


def test_revoking_a_patients_links_signs_them_out_everywhere(
    client: Client,
    staff_client: Client,
    patient: Patient,
    other_patient: Patient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    phone, other = Client(), Client()
    sign_in(phone, patient)
    sign_in(other, other_patient)
    set_now(monkeypatch, NOW + timedelta(minutes=5))
    page = staff_client.post(f"/clinic/patients/{patient.pk}/link", {"action": "revoke"})
    assert "Alice is signed out of the portal on every device." in text(page.content.decode())
    assert phone.get("/p/")["Location"] == "/p/signed-out"
    assert other.get("/p/").status_code == 200
    # A link opened after the revocation works as usual.
    set_now(monkeypatch, NOW + timedelta(minutes=6))
    sign_in(phone, patient, NOW + timedelta(minutes=6))
    assert phone.get("/p/").status_code == 200


def test_a_patient_session_idle_for_14_days_ends(
    client: Client, patient: Patient, practitioner: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The session itself would last to the next session of the course, six weeks on.
    treat(patient, practitioner, NOW - timedelta(hours=1))
    sign_in(client, patient)
    assert at(monkeypatch, client, timedelta(days=13, hours=23), "/p/") == 200
    assert at(monkeypatch, client, timedelta(days=27, hours=22), "/p/") == 200
    set_now(monkeypatch, NOW + timedelta(days=41, hours=22))
    assert client.get("/p/")["Location"] == "/p/signed-out"


def test_a_patient_can_sign_out(client: Client, patient: Patient) -> None:
    sign_in(client, patient)
    page = client.get("/p/").content.decode()
    assert '<form method="post" action="/p/leave" class="no-print">' in page
    assert client.post("/p/leave")["Location"] == "/p/signed-out"
    assert client.get("/p/")["Location"] == "/p/signed-out"
