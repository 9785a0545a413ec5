"""Reviewing a check-in: what staff see, the note they leave, and that a review is final."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from aftercare.web.actor import Actor
from aftercare.web.clinic.models import (
    AuditEvent,
    CheckIn,
    Outcome,
    Patient,
    StaffMember,
    Trend,
)
from aftercare.web.staff import check_ins
from tests.web.conftest import NOW
from tests.web.test_staff_dashboard import make_check_in, make_treatment

pytestmark = pytest.mark.django_db

TREATED_AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.fixture
def check_in(patient: Patient, practitioner: StaffMember, now: datetime) -> CheckIn:
    return make_check_in(
        make_treatment(patient, TREATED_AT),
        ["discharge", "redness"],
        now - timedelta(hours=2),
        trend=Trend.WORSENING,
        free_text="Yellow fluid <script>alert(1)</script> since this morning.",
    )


@pytest.fixture
def signed_in(client: Client, practitioner: StaffMember) -> Client:
    client.force_login(practitioner.user)
    return client


def url(check_in: CheckIn | int) -> str:
    pk = check_in if isinstance(check_in, int) else check_in.pk
    return f"/clinic/check-ins/{pk}"


def test_it_shows_the_report_and_the_triage_frozen_at_the_time(
    signed_in: Client, check_in: CheckIn, practitioner: StaffMember
) -> None:
    response = signed_in.get(url(check_in))
    text = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Check-in from Alice Patient</h1>" in text
    assert "Wed 18 Nov, 10:00" in text
    assert "Sat 21 Nov, 12:30 (day 3 after treatment)" in text
    assert "Discharge or weeping, Redness or flushing" in text
    assert "Getting worse" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert(1)" not in text
    for item in check_in.result["symptoms"]:
        assert item["reason"].replace("'", "&#x27;") in text
    assert check_in.result["advice"].replace("'", "&#x27;") in text
    assert "Mark as reviewed" in text
    event = AuditEvent.objects.get(action="checkin.view")
    assert (event.patient_id, event.object_id) == (check_in.treatment.patient_id, str(check_in.pk))
    assert event.actor_staff_id == practitioner.pk


def test_reviewing_clears_the_alert_and_keeps_the_check_in(
    signed_in: Client, check_in: CheckIn, practitioner: StaffMember, now: datetime
) -> None:
    assert b"Alice Patient" in signed_in.get("/clinic/").content.split(b"Treatments today")[0]
    response = signed_in.post(url(check_in), {"note": "Called her; seen at 15:00 today."})
    assert response.status_code == 302
    assert response["Location"] == "/clinic/"
    check_in.refresh_from_db()
    assert check_in.reviewed_at == now
    assert check_in.reviewed_by == practitioner
    assert check_in.review_note == "Called her; seen at 15:00 today."
    dashboard = signed_in.get("/clinic/").content
    assert b"Check-in from Alice Patient marked as reviewed." in dashboard
    assert b"No check-ins are waiting for review." in dashboard
    assert AuditEvent.objects.filter(action="checkin.review", object_id=str(check_in.pk)).exists()
    again = signed_in.get(url(check_in)).content.decode()
    assert "Reviewed Sat 21 Nov, 14:30 by practitioner." in again
    assert "Called her; seen at 15:00 today." in again
    assert "Mark as reviewed" not in again


INVISIBLE = "Called\u200bher"
LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Please say what you did about this check-in."),
        ("   ", "Please say what you did about this check-in."),
        (LONG, "Ensure this value has at most 2000 characters (it has 10000)."),
        (INVISIBLE, "Please remove the invisible character (zero width space) from this text."),
        ("Called \u202eher", "Please remove the invisible character"),
    ],
)
def test_a_bad_note_is_refused_and_kept(
    signed_in: Client, check_in: CheckIn, note: str, message: str
) -> None:
    response = signed_in.post(url(check_in), {"note": note})
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    if note.strip():
        assert note in text
    check_in.refresh_from_db()
    assert check_in.reviewed_at is None
    assert not AuditEvent.objects.filter(action="checkin.review").exists()


def test_emoji_and_right_to_left_text_are_fine(signed_in: Client, check_in: CheckIn) -> None:
    response = signed_in.post(url(check_in), {"note": "تم الاتصال 👍"})
    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.review_note == "تم الاتصال 👍"


def test_a_second_review_does_not_overwrite_the_first(
    signed_in: Client, check_in: CheckIn, colleague: StaffMember
) -> None:
    signed_in.post(url(check_in), {"note": "First note"})
    other = Client()
    other.force_login(colleague.user)
    response = other.post(url(check_in), {"note": "Second note"})
    assert response.status_code == 200
    assert b"already been reviewed" in response.content
    check_in.refresh_from_db()
    assert check_in.review_note == "First note"
    assert AuditEvent.objects.filter(action="checkin.review").count() == 1


def test_a_review_claimed_meanwhile_is_not_overwritten(
    signed_in: Client, check_in: CheckIn, colleague: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_review = check_ins.review_check_in

    def colleague_saves_first(actor: Actor, *args: Any) -> bool:
        CheckIn.objects.filter(pk=check_in.pk).update(
            reviewed_at=NOW, reviewed_by=colleague, review_note="Colleague's note"
        )
        return real_review(actor, *args)

    monkeypatch.setattr(check_ins, "review_check_in", colleague_saves_first)
    response = signed_in.post(url(check_in), {"note": "Mine"})
    assert response.status_code == 200
    assert b"already been reviewed" in response.content
    assert b"Colleague&#x27;s note" in response.content
    check_in.refresh_from_db()
    assert check_in.review_note == "Colleague's note"
    assert not AuditEvent.objects.filter(action="checkin.review").exists()


def test_another_clinics_check_in_is_not_found_and_names_nothing(
    client: Client, outsider: StaffMember, check_in: CheckIn
) -> None:
    client.force_login(outsider.user)
    for response in (client.get(url(check_in)), client.post(url(check_in), {"note": "x"})):
        assert response.status_code == 404
        assert b"Alice" not in response.content
        assert b"Patient" not in response.content
        assert b"Yellow fluid" not in response.content
    check_in.refresh_from_db()
    assert check_in.reviewed_at is None
    denial = AuditEvent.objects.filter(outcome=Outcome.DENIED, action="checkin.view").first()
    assert denial is not None
    assert denial.clinic_id == outsider.clinic_id
    assert denial.patient_id is None
    assert denial.object_id == str(check_in.pk)


def test_an_unknown_check_in_is_not_found(signed_in: Client, now: datetime) -> None:
    assert signed_in.get(url(999_999)).status_code == 404
