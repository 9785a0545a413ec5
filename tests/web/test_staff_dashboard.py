"""The staff dashboard: open alerts most urgent first, today's treatments, patients in aftercare."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from aftercare.engine.model import Factors, resolve_areas
from aftercare.engine.triage import symptom_report, triage
from aftercare.web.clinic.models import (
    AuditEvent,
    CheckIn,
    Clinic,
    Patient,
    PatientQuestion,
    QuestionStatus,
    StaffMember,
    Treatment,
    Trend,
)
from aftercare.web.frozen import frozen
from aftercare.web.protocol import base_protocol
from tests.web.conftest import CHAIN_QUERIES, make_staff

pytestmark = pytest.mark.django_db


def make_treatment(patient: Patient, treated_at: datetime, *, cancelled: bool = False) -> Treatment:
    protocol = base_protocol()
    creator = patient.clinic.staff.first() or make_staff(f"creator-{patient.pk}", patient.clinic)
    return Treatment.objects.create(
        patient=patient,
        treated_at=treated_at,
        time_zone="Europe/London",
        areas=["face"],
        factors={"needle_depth_mm": 1.0},
        protocol_id=protocol.effective_id,
        protocol_version=protocol.version,
        created_by=creator,
        cancelled_at=treated_at if cancelled else None,
    )


def make_check_in(
    treatment: Treatment,
    symptoms: list[str],
    created_at: datetime,
    *,
    trend: Trend | None = None,
    free_text: str = "",
) -> CheckIn:
    """A check-in triaged by the engine, frozen as the portal stores it."""
    protocol = base_protocol()
    hours_after = (created_at - treatment.treated_at).total_seconds() / 3600
    factors = Factors(
        areas=resolve_areas(protocol, treatment.areas), values={"needle_depth_mm": 1.0}
    )
    reports = [symptom_report(protocol, name) for name in symptoms]
    result = triage(protocol, reports, hours_after, factors)
    return CheckIn.objects.create(
        treatment=treatment,
        symptoms=[{"symptom": report.symptom} for report in reports],
        trend=trend or "",
        free_text=free_text,
        level=result.level.value,
        result=frozen(result),
        hours_after=hours_after,
        created_at=created_at,
    )


@pytest.fixture
def signed_in(client: Client, practitioner: StaffMember) -> Client:
    client.force_login(practitioner.user)
    return client


def alert_names(page: bytes, *names: str) -> list[str]:
    """``names`` in the order they first appear in the alerts section of ``page``."""
    text = page.decode()
    alerts = text[text.index("Check-ins to review") : text.index("Treatments today")]
    found = [name for name in names if name in alerts]
    return sorted(found, key=alerts.index)


def test_it_lists_urgent_alerts_first_then_oldest_first(
    signed_in: Client, clinic: Clinic, now: datetime
) -> None:
    people = {}
    for given in ("Nora", "Olive", "Uma", "Ursula"):
        people[given] = Patient.objects.create(clinic=clinic, given_name=given, family_name="X")
    treated = now - timedelta(days=5)
    make_check_in(make_treatment(people["Nora"], treated), ["rash"], now - timedelta(hours=5))
    make_check_in(make_treatment(people["Olive"], treated), ["rash"], now - timedelta(hours=9))
    make_check_in(make_treatment(people["Uma"], treated), ["pus"], now - timedelta(hours=1))
    make_check_in(make_treatment(people["Ursula"], treated), ["fever"], now - timedelta(hours=2))
    response = signed_in.get("/clinic/")
    assert response.status_code == 200
    order = alert_names(response.content, "Nora X", "Olive X", "Uma X", "Ursula X")
    assert order == ["Ursula X", "Uma X", "Olive X", "Nora X"]
    assert b'role="alert"' in response.content
    assert b"2 patients asked to contact the clinic now" in response.content


def test_a_patient_told_to_call_999_comes_first_in_its_own_box(
    signed_in: Client, clinic: Clinic, now: datetime
) -> None:
    uma = Patient.objects.create(clinic=clinic, given_name="Uma", family_name="X")
    ava = Patient.objects.create(clinic=clinic, given_name="Ava", family_name="X")
    treated = now - timedelta(days=1)
    make_check_in(make_treatment(uma, treated), ["pus"], now - timedelta(hours=1))
    make_check_in(
        make_treatment(ava, treated), ["severe_allergic_reaction"], now - timedelta(hours=3)
    )
    response = signed_in.get("/clinic/")
    page = response.content.decode()
    assert alert_names(response.content, "Uma X", "Ava X") == ["Ava X", "Uma X"]
    assert page.index("1 patient told to call 999 now") < page.index(
        "2 patients asked to contact the clinic now"
    )
    assert (
        "They reported signs of a severe allergic reaction. Call them as soon as you can." in page
    )
    assert "Call 999 now</span>" in page


def test_it_shows_an_alert_in_plain_words(
    signed_in: Client, patient: Patient, now: datetime
) -> None:
    treatment = make_treatment(patient, datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    check_in = make_check_in(
        treatment,
        ["discharge", "redness"],
        datetime(2026, 11, 21, 12, 15, tzinfo=UTC),
        trend=Trend.WORSENING,
    )
    text = signed_in.get("/clinic/").content.decode()
    assert f'href="/clinic/patients/{patient.pk}/"' in text
    assert f'href="/clinic/check-ins/{check_in.pk}"' in text
    assert "Discharge or weeping, Redness or flushing" in text
    assert '<span class="level level-contact_clinic_now">Contact the clinic now</span>' in text
    assert "Getting worse" in text
    assert "Sat 21 Nov, 12:15" in text
    assert "Day 3" in text


def test_reviewed_and_expected_check_ins_are_not_alerts(
    signed_in: Client, patient: Patient, other_patient: Patient, now: datetime
) -> None:
    treatment = make_treatment(patient, now - timedelta(days=1))
    make_check_in(treatment, ["redness"], now - timedelta(hours=1))
    reviewed = make_check_in(
        make_treatment(other_patient, now - timedelta(days=5)), ["pus"], now - timedelta(hours=1)
    )
    reviewed.reviewed_at = now
    reviewed.save()
    response = signed_in.get("/clinic/")
    assert b"No check-ins are waiting for review." in response.content
    assert b'role="alert"' not in response.content


def test_another_clinics_alerts_never_show(
    signed_in: Client, outsider: StaffMember, now: datetime
) -> None:
    stranger = Patient.objects.create(
        clinic=outsider.clinic, given_name="Zebedee", family_name="Stranger"
    )
    make_check_in(make_treatment(stranger, now - timedelta(days=2)), ["pus"], now)
    make_treatment(stranger, now - timedelta(hours=1))
    response = signed_in.get("/clinic/")
    assert b"Zebedee" not in response.content
    assert b"Stranger" not in response.content
    assert b"No check-ins are waiting for review." in response.content
    assert b"No treatments today." in response.content


SUMMER_NOON = datetime(2026, 7, 10, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("treated_at", "is_today"),
    [
        (datetime(2026, 7, 9, 22, 59, tzinfo=UTC), False),  # 23:59 BST on 9 July
        (datetime(2026, 7, 9, 23, 30, tzinfo=UTC), True),  # 00:30 BST on 10 July
        (datetime(2026, 7, 10, 22, 30, tzinfo=UTC), True),  # 23:30 BST, later today
        (datetime(2026, 7, 10, 23, 0, tzinfo=UTC), False),  # 00:00 BST on 11 July
    ],
)
def test_todays_treatments_follow_the_clinics_calendar(
    signed_in: Client,
    patient: Patient,
    monkeypatch: pytest.MonkeyPatch,
    treated_at: datetime,
    is_today: bool,
) -> None:
    monkeypatch.setattr("aftercare.web.clock.now", lambda: SUMMER_NOON)
    make_treatment(patient, treated_at)
    text = signed_in.get("/clinic/").content.decode()
    today = text[text.index("Treatments today") : text.index("Patients in aftercare")]
    assert "Fri 10 Jul 2026" in today
    assert ("Alice Patient" in today) is is_today


def test_cancelled_treatments_are_not_today_or_in_aftercare(
    signed_in: Client, patient: Patient, now: datetime
) -> None:
    make_treatment(patient, now - timedelta(hours=1), cancelled=True)
    text = signed_in.get("/clinic/").content.decode()
    assert "Alice Patient" not in text


def test_the_aftercare_list_shows_each_patients_latest_treatment_within_two_weeks(
    signed_in: Client, clinic: Clinic, patient: Patient, other_patient: Patient, now: datetime
) -> None:
    make_treatment(patient, now - timedelta(days=40))
    make_treatment(patient, now - timedelta(days=3, hours=2))
    make_treatment(other_patient, now - timedelta(days=14, minutes=1))
    carol = Patient.objects.create(clinic=clinic, given_name="Carol", family_name="Edge")
    make_treatment(carol, now - timedelta(days=13, hours=23))
    text = signed_in.get("/clinic/").content.decode()
    section = text[text.index("Patients in aftercare") :]
    assert "Bob Other" not in section
    assert section.count("Alice Patient") == 1
    assert "Day 3" in section
    assert "Day 13" in section
    assert section.index("Carol Edge") < section.index("Alice Patient")


def test_it_is_audited_without_a_patient(
    signed_in: Client, practitioner: StaffMember, now: datetime
) -> None:
    signed_in.get("/clinic/")
    event = AuditEvent.objects.get(action="dashboard.view")
    assert event.clinic_id == practitioner.clinic_id
    assert event.patient_id is None
    assert event.actor_staff_id == practitioner.pk


def test_it_reads_a_fixed_number_of_queries_for_many_patients(
    signed_in: Client,
    clinic: Clinic,
    now: datetime,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for index in range(50):
        person = Patient.objects.create(clinic=clinic, given_name=f"P{index}", family_name="Q")
        treatment = make_treatment(person, now - timedelta(days=index % 13, hours=1))
        make_check_in(treatment, ["pus" if index % 2 else "rash"], now - timedelta(minutes=index))
        make_treatment(person, now - timedelta(minutes=30 + index))
        for status in (QuestionStatus.WAITING, QuestionStatus.NOT_UNDERSTOOD):
            PatientQuestion.objects.create(
                patient=person, text="Can I fly?", outcome="topic", status=status, asked_at=now
            )
    # 12: the page itself, one for the banner about failing or late messages, two that
    # list patients' questions (those waiting, and those not understood), and one for the
    # patients due to book.
    # One more than before procedures: the clinic's procedures, read once a request.
    # And one for the alerts' treatments and patients, read by id after the alerts.
    with django_assert_max_num_queries(14 + CHAIN_QUERIES):
        response = signed_in.get("/clinic/")
    assert response.content.count(b"/clinic/check-ins/") == 50
    assert response.content.count(b"Day ") >= 100


def test_signed_out_visitors_go_to_sign_in(client: Client) -> None:
    assert client.get("/clinic/")["Location"].startswith("/login?next=")


def section_of(page: bytes, heading: str, end: str | None = None) -> str:
    text = page.decode()
    start = text.index(heading)
    return text[start : text.index(end, start) if end else None]


@pytest.mark.parametrize(
    ("hours_ago", "param", "heading", "end"),
    [
        (0.5, "today_page", "Treatments today", "Patients in aftercare"),
        (24 * 5, "aftercare_page", "Patients in aftercare", "Due to book"),
    ],
)
def test_it_shows_a_long_list_fifty_at_a_time_in_bounded_queries(
    signed_in: Client,
    clinic: Clinic,
    now: datetime,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    hours_ago: float,
    param: str,
    heading: str,
    end: str | None,
) -> None:
    for index in range(55):
        person = Patient.objects.create(clinic=clinic, given_name=f"P{index:02d}", family_name="Q")
        make_treatment(person, now - timedelta(hours=hours_ago, seconds=55 - index))
    # As above.
    # One more than before procedures: the clinic's procedures, read once a request.
    with django_assert_max_num_queries(16 + CHAIN_QUERIES):
        first = section_of(signed_in.get("/clinic/").content, heading, end)
    second = section_of(signed_in.get("/clinic/", {param: "2"}).content, heading, end)
    beyond = section_of(signed_in.get("/clinic/", {param: "3"}).content, heading, end)

    assert first.count('<th scope="row">') == 50
    assert "P00 Q" in first and "P49 Q" in first and "P50 Q" not in first
    assert "1 to 50" in first
    assert f'href="?{param}=2#' in first
    assert second.count('<th scope="row">') == 5
    assert "P50 Q" in second and "P54 Q" in second
    assert "51 to 55" in second
    assert f'href="?{param}=1#' in second
    assert "Next page" not in second
    assert "Back to the first page" in beyond


def test_it_takes_a_bad_page_number_for_the_first(signed_in: Client) -> None:
    for value in ("abc", "-3", "0", "99999999999999999999"):
        response = signed_in.get("/clinic/", {"aftercare_page": value, "today_page": value})
        assert response.status_code == 200


def test_it_shows_the_first_fifty_undeliverable_patients(
    signed_in: Client, clinic: Clinic, now: datetime
) -> None:
    for index in range(51):
        Patient.objects.create(
            clinic=clinic, given_name=f"U{index:02d}", family_name="V", email_disabled_at=now
        )
    section = section_of(
        signed_in.get("/clinic/").content, "Messages that could not be delivered", "</section>"
    )
    assert section.count('<th scope="row">') == 50
    assert "U49 V" in section and "U50 V" not in section
    assert "Showing the first 50; the others appear here as these are corrected." in section


def test_it_shows_fifty_alerts_a_page_and_counts_every_patient_in_bounded_queries(
    signed_in: Client,
    clinic: Clinic,
    now: datetime,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    people = {
        given: Patient.objects.create(clinic=clinic, given_name=given, family_name="X")
        for given in ("Nora", "Olive", "Uma")
    }
    treated = now - timedelta(days=3)
    nora, olive = make_treatment(people["Nora"], treated), make_treatment(people["Olive"], treated)
    for minutes in range(55):  # Nora's are the oldest, Olive's the newest
        make_check_in(nora, ["rash"], now - timedelta(hours=3, minutes=minutes))
    for minutes in range(5):
        make_check_in(olive, ["rash"], now - timedelta(minutes=minutes))
    make_check_in(make_treatment(people["Uma"], treated), ["pus"], now - timedelta(hours=1))

    def alerts_section(page: int) -> str:
        response = signed_in.get("/clinic/", {"alerts_page": page})
        return section_of(response.content, "asked to contact the clinic now", "Treatments today")

    first, second = alerts_section(1), alerts_section(2)
    assert first.count("/clinic/check-ins/") == 50
    assert "Uma X" in first and "Nora X" in first and "Olive X" not in first
    assert "1 to 50" in first and 'href="?alerts_page=2#alerts-heading"' in first
    assert second.count("/clinic/check-ins/") == 11
    assert "51 to 61" in second and "Next page" not in second
    for section in (first, second):  # every open alert counted, whichever page is shown
        assert "From 3 patients." in section
    assert "No more check-ins are waiting for review" in alerts_section(3)
    page = signed_in.get("/clinic/").content.decode()
    assert "1 patient asked to contact the clinic now" in page

    for minutes in range(100):  # a hundred more cost the page nothing more
        make_check_in(olive, ["rash"], now - timedelta(seconds=minutes))
    # The page's queries (14, see above), and, once the alerts no longer fit on one page,
    # two that count their patients: the (treatment, level) pairs, then those treatments' patients.
    with django_assert_max_num_queries(16 + CHAIN_QUERIES):
        response = signed_in.get("/clinic/")
    assert response.content.decode().count("/clinic/check-ins/") == 50
