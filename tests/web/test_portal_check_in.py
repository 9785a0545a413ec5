"""The symptom check-in: triaged at once, stored frozen, urgent answers first.

Alice (``patient``) checks in about her latest treatment; Bob (``other_patient``) is
treated at the same clinic and must never be touched by her check-ins.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    CheckIn,
    Level,
    Patient,
    StaffMember,
    Treatment,
)
from tests.web.conftest import CHAIN_QUERIES, NOW
from tests.web.test_portal_plan import QueryBound, set_now, sign_in, text, treat

pytestmark = pytest.mark.django_db

CHECK_IN = reverse("portal:check_in")
URGENT_CALL = '<a class="call" href="tel:+442079460002">'


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    set_now(monkeypatch, NOW)


@pytest.fixture
def alice(client: Client, patient: Patient) -> Client:
    sign_in(client, patient)
    return client


def treated(patient: Patient, staff: StaffMember, hours: float, **fields: object) -> Treatment:
    return treat(patient, staff, NOW - timedelta(hours=hours), **fields)


def send(client: Client, *symptoms: str, trend: str = "stable", free_text: str = "") -> str:
    data = {"symptoms": list(symptoms), "trend": trend, "free_text": free_text}
    posted = client.post(CHECK_IN, data)
    assert posted.status_code == 302, posted.content
    response = client.get(posted["Location"])
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_the_form_lists_the_protocols_symptoms_in_plain_words(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 30)
    html = alice.get(CHECK_IN).content.decode()
    assert "<legend>What do you notice? Tick everything that applies.</legend>" in html
    assert (
        '<label for="id_symptoms_0"><input type="checkbox" name="symptoms" '
        'value="severe_allergic_reaction"' in html
    )
    assert (
        "Difficulty breathing, swelling of the lips, tongue or throat, or feeling faint</label>"
        in html
    )
    assert "Discharge or weeping</label>" in html
    assert "Redness spreading beyond the treated area</label>" in html
    for trend in ("Getting better", "About the same", "Getting worse"):
        assert f"{trend}</label>" in html
    assert '<label for="id_free_text">' in html


def test_discharge_puts_the_urgent_number_at_the_top_and_reaches_the_dashboard(
    alice: Client, patient: Patient, other_patient: Patient, practitioner: StaffMember
) -> None:
    treatment = treated(patient, practitioner, 50)
    treated(other_patient, practitioner, 50)
    html = send(alice, "discharge", free_text="Yellow fluid on my cheek.")
    main = html[html.index('<main id="main"') :]
    first = main.index("<section")
    assert main.index('<section class="urgent" role="alert">') == first
    assert main.index(URGENT_CALL) < main.index("What you told us")
    assert "Contact your clinic now. If you cannot reach them and you feel unwell" in text(html)
    assert "Discharge or weeping: Discharge is not normal and can be a sign of infection." in text(
        html
    )
    row = CheckIn.objects.get()
    assert row.treatment == treatment
    assert row.level == Level.CONTACT_CLINIC_NOW
    assert row.reviewed_at is None
    assert row.symptoms == [{"symptom": "discharge"}]
    assert row.free_text == "Yellow fluid on my cheek."
    assert row.hours_after == pytest.approx(50)
    assert row.created_at == NOW
    assert row.result["level"] == "contact_clinic_now"
    event = AuditEvent.objects.get(action="checkin.create")
    assert (event.actor_kind, event.actor_patient_id) == (ActorKind.PATIENT, patient.pk)
    assert (event.patient_id, event.object_id) == (patient.pk, str(row.pk))


def test_worsening_redness_is_urgent(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 20)
    assert URGENT_CALL in send(alice, "redness", trend="worsening")
    assert CheckIn.objects.get().trend == "worsening"


def test_expected_symptoms_are_reassured(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 20)
    shown = text(send(alice, "redness", "swelling", trend="improving"))
    assert "This is a normal part of healing." in shown
    assert "Check in again if anything changes." in shown
    assert "Redness or flushing: Redness like mild sunburn is normal" in shown
    assert 'class="urgent"' not in shown
    assert CheckIn.objects.get().level == Level.EXPECTED


def test_lasting_redness_asks_to_contact_the_clinic_today(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 120)
    html = send(alice, "redness")
    assert "Please contact your clinic today" in html
    assert '<a class="call" href="tel:+442079460001">' in html
    assert 'class="urgent"' not in html
    assert CheckIn.objects.get().level == Level.CONTACT_CLINIC


@pytest.mark.parametrize(
    ("fields", "born", "level"),
    [
        ({}, None, Level.CONTACT_CLINIC),
        ({"factors": {"sensitive_skin": True}}, None, Level.EXPECTED),
        ({"factors": {"needle_depth_mm": 1.5}}, None, Level.EXPECTED),
        ({}, date(1961, 11, 21), Level.EXPECTED),
        ({}, date(1961, 11, 22), Level.CONTACT_CLINIC),
        ({"factors": {"fitzpatrick": 9, "sensitive_skin": True}}, None, Level.EXPECTED),
    ],
)
def test_the_treatment_and_age_widen_the_expected_window(
    alice: Client,
    patient: Patient,
    practitioner: StaffMember,
    fields: dict[str, object],
    born: date | None,
    level: Level,
) -> None:
    # Redness on day 5 is past the usual window but inside the widened one.
    Patient.objects.filter(pk=patient.pk).update(date_of_birth=born)
    treated(patient, practitioner, 120, **fields)
    send(alice, "redness")
    assert CheckIn.objects.get().level == level


def test_nothing_ticked_or_written_is_a_form_error(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 20)
    response = alice.post(CHECK_IN, {"trend": "stable", "free_text": "  "})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Tick at least one thing you notice, or write it below." in html
    assert re.search(r'value="stable" id="id_trend_1"[^>]* checked>', html)
    assert not CheckIn.objects.exists()
    assert not AuditEvent.objects.filter(action="checkin.create").exists()


def test_words_alone_are_a_check_in_the_clinic_reads(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 20)
    posted = alice.post(CHECK_IN, {"free_text": "There is a small mark on my chin"})
    assert posted.status_code == 302
    shown = text(alice.get(posted["Location"]).content.decode())
    assert (
        "Please contact your clinic today so a practitioner can check how your skin is healing. "
        "Your clinic will read what you wrote and contact you if they need to."
    ) in shown
    assert (
        "What you wrote: Your clinic will read what you wrote and contact you if they need to."
    ) in shown
    assert "You wrote: “There is a small mark on my chin”" in shown
    row = CheckIn.objects.get()
    assert (row.level, row.symptoms, row.trend) == (Level.CONTACT_CLINIC, [], "")


def test_words_of_a_red_flag_are_triaged_as_the_symptom(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 50)
    html = send(alice, "redness", free_text="it has started oozing")
    assert URGENT_CALL in html
    assert "Discharge or weeping: Discharge is not normal and can be a sign of infection." in text(
        html
    )
    assert CheckIn.objects.get().level == Level.CONTACT_CLINIC_NOW


def test_signs_of_anaphylaxis_say_call_999_first(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 2)
    html = send(alice, "redness", free_text="my lips are swollen")
    main = html[html.index('<main id="main"') :]
    assert main.index('<section class="urgent" role="alert">') == main.index("<section")
    assert main.index('<a class="call" href="tel:999">Call 999</a>') < main.index(
        "When you are safe"
    )
    assert (
        "<h1>Call 999 now: this can be a severe allergic reaction. Then tell your clinic.</h1>"
        in html
    )
    assert "When you are safe, tell Alpha Clinic: 020 7946 0002" in text(html)
    assert CheckIn.objects.get().level == Level.CALL_999


def test_ticking_the_signs_of_anaphylaxis_says_call_999(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 2)
    html = send(alice, "severe_allergic_reaction")
    assert '<a class="call" href="tel:999">Call 999</a>' in html
    assert CheckIn.objects.get().level == Level.CALL_999


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"free_text": "x" * 10_000}, "Ensure this value has at most 2000 characters"),
        ({"free_text": "sore\u200bpatch"}, "Please remove the invisible character"),
        ({"trend": ""}, "Choose whether it is getting better, the same or worse."),
        ({"trend": "exploding"}, "Select a valid choice."),
        ({"symptoms": ["redness", "not_a_symptom"]}, "Select a valid choice."),
    ],
)
def test_bad_input_gets_the_form_back_with_what_was_typed(
    alice: Client,
    patient: Patient,
    practitioner: StaffMember,
    data: dict[str, object],
    message: str,
) -> None:
    treated(patient, practitioner, 20)
    posted = {"symptoms": ["redness"], "trend": "stable", "free_text": "hello 😀"} | data
    response = alice.post(CHECK_IN, posted)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert re.search(r'value="redness" id="id_symptoms_1"[^>]* checked>', html)
    assert f">{posted['free_text']}</textarea>" in html
    assert not CheckIn.objects.exists()


def test_emoji_and_right_to_left_text_are_kept(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 20)
    send(alice, "itching", free_text="حكة خفيفة 😣")
    assert CheckIn.objects.get().free_text == "حكة خفيفة 😣"


def test_without_a_treatment_nothing_is_stored(alice: Client) -> None:
    response = alice.post(CHECK_IN, {"symptoms": ["discharge"], "trend": "stable"})
    assert response.status_code == 200
    assert "Your clinic has not recorded a treatment for you yet." in text(
        response.content.decode()
    )
    assert not CheckIn.objects.exists()


def test_a_check_in_attaches_to_the_latest_own_treatment(
    alice: Client, patient: Patient, other_patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 400)
    latest = treated(patient, practitioner, 30)
    treated(patient, practitioner, 5, cancelled_at=NOW)
    bob = treated(other_patient, practitioner, 2)
    alice.post(CHECK_IN, {"symptoms": ["redness"], "trend": "stable", "treatment": bob.pk})
    assert CheckIn.objects.get().treatment == latest
    assert not CheckIn.objects.filter(treatment=bob).exists()


def test_a_check_in_is_kept_under_the_patients_clinic(
    alice: Client, patient: Patient, practitioner: StaffMember, outsider: StaffMember
) -> None:
    treated(patient, practitioner, 30)
    send(alice, "pus")
    # The dashboard reads a clinic's open alerts by this column alone.
    assert CheckIn.objects.get().clinic_id == patient.clinic_id != outsider.clinic_id


def test_the_check_in_needs_a_patient_session(
    client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 20)
    response = client.post(CHECK_IN, {"symptoms": ["discharge"], "trend": "stable"})
    assert response["Location"] == reverse("portal:signed_out")
    assert not CheckIn.objects.exists()


def test_checking_in_makes_a_bounded_number_of_queries(
    alice: Client,
    patient: Patient,
    practitioner: StaffMember,
    django_assert_max_num_queries: QueryBound,
) -> None:
    for days in range(20):
        treated(patient, practitioner, 24 * days + 1)
    symptoms = ["redness", "swelling", "bruising", "itching", "discharge", "fever"]
    # Posting: session, patient, treatment, the clinic's procedures (whose overlay the
    # treatment's plan follows), then the check-in, its audit row and the clinic's
    # administrators to alert in a transaction. Showing the result: session, patient, the
    # check-in, its audit row, and the check-in's treatment and the clinic's procedures (the
    # symptoms are named in the words of the treatment's procedure).
    with django_assert_max_num_queries(15 + 2 * CHAIN_QUERIES):
        send(alice, *symptoms)
    with django_assert_max_num_queries(4):
        assert alice.get(CHECK_IN).status_code == 200


def test_reloading_the_result_never_sends_the_check_in_twice(
    alice: Client, patient: Patient, practitioner: StaffMember
) -> None:
    treated(patient, practitioner, 30)
    posted = alice.post(CHECK_IN, {"symptoms": ["discharge"], "trend": "worsening"})
    for _ in range(2):
        page = alice.get(posted["Location"]).content.decode()
        assert 'class="urgent"' in page
    assert CheckIn.objects.count() == 1


def test_another_patients_check_in_is_not_found(
    alice: Client, other_patient: Patient, practitioner: StaffMember
) -> None:
    theirs = CheckIn.objects.create(
        treatment=treated(other_patient, practitioner, 30),
        symptoms=[{"symptom": "discharge"}],
        level="contact_clinic_now",
        result={"advice": "Secret advice for Bob", "symptoms": []},
        hours_after=30,
    )
    response = alice.get(reverse("portal:check_in_result", kwargs={"pk": theirs.pk}))
    assert response.status_code == 404
    assert b"Bob" not in response.content
    assert b"Secret advice" not in response.content
