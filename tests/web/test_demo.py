from __future__ import annotations

from base64 import b32decode
from datetime import timedelta

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken

from aftercare.web.clinic.models import (
    CheckIn,
    Clinic,
    Level,
    Patient,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Role,
    Screening,
    ScreeningStatus,
    StaffMember,
    Treatment,
)
from aftercare.web.demo import DEMO_ADMIN, DEMO_USERNAME, build_demo
from tests.web.conftest import NOW

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = (Clinic, StaffMember, Patient, Screening, Treatment, CheckIn)
    return {model.__name__: model.objects.count() for model in models}


def _treatment(family_name: str) -> Treatment:
    return Treatment.objects.get(patient__family_name=family_name, notes="")


def test_it_builds_the_demo_clinic() -> None:
    build_demo(NOW)
    clinic = Clinic.objects.get(slug="demo")
    assert (clinic.name, clinic.time_zone) == ("Demo Clinic", "Europe/London")
    assert clinic.phone.startswith("020 7946 0")
    assert StaffMember.objects.get(user__username=DEMO_USERNAME).role == Role.PRACTITIONER
    assert clinic.patients.count() == 6


def test_it_treats_patients_at_every_stage() -> None:
    build_demo(NOW)
    ago: dict[str, list[timedelta]] = {}
    for t in Treatment.objects.order_by("treated_at"):
        ago.setdefault(t.patient.family_name, []).append(NOW - t.treated_at)
    assert ago == {
        "Khan": [timedelta(hours=1)],
        "Carter": [timedelta(days=3)],
        "Davies": [timedelta(days=10)],
        "Evans": [timedelta(days=30)],
        "Hughes": [timedelta(days=280), timedelta(days=245), timedelta(days=210)],
    }
    assert {t.treated_at.utcoffset() for t in Treatment.objects.all()} == {timedelta(0)}


def test_it_records_the_protocol_behind_each_record() -> None:
    build_demo(NOW)
    treatment = _treatment("Davies")
    assert treatment.protocol_id
    assert len(treatment.protocol_version) >= 8


def test_it_screens_one_patient_as_not_yet_eligible() -> None:
    build_demo(NOW)
    screening = Screening.objects.get(patient__family_name="Foster")
    assert screening.status == ScreeningStatus.NOT_YET
    assert screening.earliest_date is not None
    assert screening.earliest_date > NOW.date()
    assert screening.answers["isotretinoin"] == (NOW - timedelta(days=30)).date().isoformat()
    assert screening.result["status"] == "not_yet"
    assert screening.result["unanswered"] == []
    others = Screening.objects.exclude(patient__family_name="Foster")
    assert others.exists()
    assert {s.status for s in others} == {ScreeningStatus.ELIGIBLE}
    assert not Treatment.objects.filter(patient__family_name="Foster").exists()


def test_it_raises_a_red_flag_for_discharge() -> None:
    build_demo(NOW)
    check_in = CheckIn.objects.get()
    assert check_in.treatment == _treatment("Carter")
    assert check_in.level == Level.CONTACT_CLINIC_NOW
    assert check_in.result["level"] == "contact_clinic_now"
    assert check_in.reviewed_at is None
    assert check_in.hours_after == 70.0


def test_it_is_idempotent() -> None:
    build_demo(NOW)
    before = _counts()
    build_demo(NOW + timedelta(days=2))
    assert _counts() == before
    # Rebuilt later, the stages are relative to the new moment.
    assert _treatment("Carter").treated_at == NOW + timedelta(days=2) - timedelta(days=3)


def test_it_resets_the_password_on_every_build(client: Client) -> None:
    first = build_demo(NOW)
    second = build_demo(NOW)
    assert first.password != second.password
    old = client.post("/login", {"username": DEMO_USERNAME, "password": first.password})
    assert old.status_code == 200  # the form again, with its error
    new = client.post("/login", {"username": DEMO_USERNAME, "password": second.password})
    assert new.status_code == 302
    assert len(second.password) >= 16


def test_it_refuses_a_naive_moment() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_demo(NOW.replace(tzinfo=None))


def test_the_administrator_signs_in_with_two_factors(client: Client) -> None:
    login = build_demo(NOW)
    signed_in = client.post(
        "/login", {"username": login.admin_username, "password": login.admin_password}
    )
    assert signed_in["Location"] == "/clinic/"
    asked = client.get("/clinic/settings")
    assert asked["Location"] == "/account/two-factor?next=%2Fclinic%2Fsettings"
    key = b32decode(login.admin_key.replace(" ", ""))
    answered = client.post(asked["Location"], {"code": f"{totp(key):06d}"})
    assert answered["Location"] == "/clinic/settings"
    assert client.get("/clinic/settings").status_code == 200


def test_the_administrators_recovery_code_is_new_on_every_build(client: Client) -> None:
    first = build_demo(NOW)
    second = build_demo(NOW)
    assert first.admin_recovery_code != second.admin_recovery_code
    client.post("/login", {"username": DEMO_ADMIN, "password": second.admin_password})
    fresh = client.post("/account/two-factor", {"code": second.admin_recovery_code})
    assert fresh["Location"] == "/clinic/"
    assert not StaticToken.objects.filter(token=first.admin_recovery_code).exists()


def test_the_demo_patients_have_messages_sent_and_to_come() -> None:
    build_demo(NOW)
    chloe = Reminder.objects.filter(patient__family_name="Davies")
    sent = chloe.filter(status=ReminderStatus.SENT)
    waiting = chloe.filter(status=ReminderStatus.SCHEDULED)
    assert sent.exists() and waiting.exists()
    assert all(row.sent_at is not None and row.sent_at < NOW for row in sent)
    assert all(row.due_at >= NOW for row in waiting)
    assert sent.filter(kind=ReminderKind.WELCOME).exists()


def test_the_dashboard_shows_who_is_due_to_book(client: Client) -> None:
    login = build_demo(NOW)
    client.post("/login", {"username": login.username, "password": login.password})
    page = client.get("/clinic/").content.decode()
    section = page[page.index('<h2 id="book-heading">') :]
    # The demo clinic performs two procedures, so each course's is named.
    needling = "<br> <small>Medical microneedling</small>"
    assert f"Daniel Evans</a></th>\n        <td>Session 2 of 3{needling}</td>" in section
    assert "<td>Thu 19 Nov 2026 to Thu 3 Dec 2026</td>" in section
    assert f"Grace Hughes</a></th>\n        <td>Maintenance{needling}</td>" in section
    assert "<td>Sun 25 Oct 2026 to Sun 25 Apr 2027</td>" in section
    assert section.index("Daniel Evans") < section.index("Grace Hughes")
