"""Screening a patient from the clinic: the form from the protocol, the result, the record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from aftercare.engine.screening import NEVER, Answer
from aftercare.web.clinic.models import AuditEvent, Outcome, Patient, Screening, StaffMember
from aftercare.web.protocol import base_protocol
from tests.screening_answers import NOTHING_FOUND
from tests.web.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

TODAY = NOW.date()


def _fields(question: str, answer: Answer) -> dict[str, str]:
    if isinstance(answer, bool):
        return {question: "yes" if answer else "no"}
    if answer == NEVER:
        return {question: "", f"{question}__never": "on"}
    return {question: str(answer)}


def answers(**changes: str) -> dict[str, str]:
    """The form as posted with every question answered, nothing found, but for ``changes``."""
    data: dict[str, str] = {}
    changed = {key.split("__")[0] for key in changes}
    for question, answer in NOTHING_FOUND.items():
        if question not in changed:
            data |= _fields(question, answer)
    return data | changes


def post(client: Client, patient: Patient, data: dict[str, str]) -> Any:
    return client.post(reverse("staff:screening_new", args=[patient.pk]), data)


def test_the_form_asks_every_question_of_the_protocol(
    staff_client: Client, patient: Patient
) -> None:
    response = staff_client.get(reverse("staff:screening_new", args=[patient.pk]))
    assert response.status_code == 200
    for question in base_protocol().screening.questions:
        assert f'for="id_{question.id}' in response.text
    assert "Are you pregnant?" in response.text
    assert "<legend>Are you pregnant?</legend>" in response.text
    assert 'name="isotretinoin__current"' in response.text
    assert '<option value="iv">IV</option>' in response.text


def test_each_tick_box_names_its_question_to_a_screen_reader(
    staff_client: Client, patient: Patient
) -> None:
    # Every "Never" looks alike; its accessible name says which question it answers.
    text = staff_client.get(reverse("staff:screening_new", args=[patient.pk])).text
    questions = {q.id: q for q in base_protocol().screening.questions}
    for question_id, box in (("radiation", "Never"), ("isotretinoin", "Taking it now")):
        name = escape(f"{box}: {questions[question_id].text}")
        suffix = "never" if box == "Never" else "current"
        assert f'name="{question_id}__{suffix}" aria-label="{name}"' in text


def test_the_form_starts_with_nothing_answered(staff_client: Client, patient: Patient) -> None:
    response = staff_client.get(reverse("staff:screening_new", args=[patient.pk]))
    text = response.text
    assert "checked" not in text
    assert '<input type="radio" name="pregnant" value="no" id="id_pregnant_1">' in text
    assert '<option value="" selected>Not asked yet</option>' in text
    assert 'id="id_radiation__never"> Never' in text
    assert "Give the date, or tick one box below; left blank, it is still to ask." in text
    assert 'Write "none" if there is none; left blank, it is still to ask.' in text
    assert "a question left unanswered is recorded as still to ask" in text
    assert (
        "<legend>Are you allergic to numbing cream, or to lidocaine or another local "
        "anaesthetic?</legend>" in text
    )
    assert "Is there an open wound, cut or graze anywhere on the skin?" in text


def test_a_form_sent_blank_is_saved_incomplete_and_names_every_question(
    staff_client: Client, patient: Patient
) -> None:
    response = post(staff_client, patient, {})
    screening = Screening.objects.get()
    assert screening.status == "incomplete"
    assert screening.answers["pregnant"] is None
    assert all(answer is None for answer in screening.answers.values())
    page = staff_client.get(response["Location"])
    assert "<strong>Incomplete</strong>" in page.text
    assert "<h2>Still to ask</h2>" in page.text
    for question in base_protocol().screening.questions:
        assert f"<li>{escape(question.text)}</li>" in page.text
    assert "Nothing in the answers stands in the way" not in page.text
    assert reverse("staff:treatment_new", args=[patient.pk]) not in page.text


def test_an_unanswered_question_keeps_the_screening_from_eligible(
    staff_client: Client, patient: Patient
) -> None:
    data = answers(pregnant="", fitzpatrick="", active_skin_condition="  ")
    response = post(staff_client, patient, data)
    screening = Screening.objects.get()
    assert screening.status == "incomplete"
    assert screening.answers["pregnant"] is None
    assert screening.answers["breastfeeding"] is False
    assert screening.result["unanswered"] == [
        {"question": "pregnant", "text": "Are you pregnant?"},
        {
            "question": "active_skin_condition",
            "text": "Is there another current skin condition on the area, such as active acne "
            "or an eczema flare? Which?",
        },
        {
            "question": "fitzpatrick",
            "text": "Skin type (Fitzpatrick I to VI), as assessed by the practitioner",
        },
    ]
    page = staff_client.get(response["Location"]).text
    assert (
        "This screening is not complete, so the patient is not eligible: ask these questions "
        "and screen again." in page
    )
    assert "<li>Are you pregnant?</li>" in page
    assert '<tr><th scope="row">Are you pregnant?</th><td>Not asked yet</td></tr>' in page
    assert '<tr><th scope="row">Are you breastfeeding?</th><td>No</td></tr>' in page
    assert (
        '<tr><th scope="row">Have you had radiotherapy to the skin? If so, when did it '
        "end?</th><td>Never</td></tr>" in page
    )


def test_a_screening_stored_before_questions_started_unanswered_reads_as_recorded(
    staff_client: Client, patient: Patient
) -> None:
    old = Screening.objects.create(
        patient=patient,
        answers={"pregnant": False, "radiation": None, "diabetes": None},
        status="eligible",
        result={"status": "eligible", "reasons": [], "cautions": []},
        protocol_id="microneedling",
        protocol_version="old",
        screened_at=NOW,
    )
    page = staff_client.get(reverse("staff:screening", args=[patient.pk, old.pk])).text
    assert "<strong>Eligible</strong>" in page
    assert '<tr><th scope="row">Are you pregnant?</th><td>No</td></tr>' in page
    assert "end?</th><td>Left blank (read as never)</td></tr>" in page
    assert "well controlled?</th><td>Not asked yet</td></tr>" in page
    assert "Still to ask" not in page
    old.refresh_from_db()
    assert old.answers == {"pregnant": False, "radiation": None, "diabetes": None}


@pytest.mark.parametrize("text", ["none", "None.", "N/A", "n/a", "nil", "-", "No"])
def test_none_in_the_free_text_is_not_a_condition(
    staff_client: Client, patient: Patient, text: str
) -> None:
    post(staff_client, patient, answers(active_skin_condition=text))
    assert Screening.objects.get().status == "eligible"


def test_isotretinoin_30_days_ago_is_not_yet_with_the_earliest_date(
    staff_client: Client, patient: Patient, practitioner: StaffMember
) -> None:
    last_dose = (TODAY - timedelta(days=30)).isoformat()
    response = post(staff_client, patient, answers(isotretinoin=last_dose))
    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:screening", args=[patient.pk, screening.pk])
    assert screening.status == "not_yet"
    assert screening.earliest_date == date(2027, 1, 22)  # three months on, later than 90 days
    assert screening.answers["isotretinoin"] == last_dose
    assert screening.answers["pregnant"] is False
    assert screening.screened_by == practitioner
    assert screening.screened_at == NOW
    assert screening.protocol_version == base_protocol().version
    assert screening.result["status"] == "not_yet"
    page = staff_client.get(response["Location"])
    assert "<strong>Not yet</strong>: earliest treatment on Fri 22 Jan 2027" in page.text
    assert "Isotretinoin (Roaccutane) was taken too recently." in page.text
    assert "Thu 22 Oct 2026" in page.text  # the answer, as a day
    assert f"version {base_protocol().version}" in page.text
    assert AuditEvent.objects.filter(action="screening.create", patient=patient).count() == 1
    assert AuditEvent.objects.filter(action="screening.view", patient=patient).count() == 1


def test_a_patient_with_nothing_to_report_is_eligible(
    staff_client: Client, patient: Patient
) -> None:
    response = post(staff_client, patient, answers())
    assert Screening.objects.get().status == "eligible"
    page = staff_client.get(response["Location"])
    assert "<strong>Eligible</strong>" in page.text
    assert "Nothing in the answers stands in the way of treatment." in page.text
    assert reverse("staff:treatment_new", args=[patient.pk]) in page.text


@pytest.mark.parametrize(
    ("changes", "status", "shown"),
    [
        ({"isotretinoin__current": "on"}, "not_suitable", "Isotretinoin (Roaccutane) is being"),
        ({"pregnant": "yes"}, "not_suitable", "Screen again after the pregnancy"),
        ({"anticoagulant": "yes"}, "clinician_review", "Bleeding may be more than usual."),
        ({"cold_sore_history": "yes"}, "eligible", "Cold sores can flare after treatment."),
        ({"active_skin_condition": "Acne"}, "not_suitable", "Another current skin condition"),
        ({"diabetes": "uncontrolled"}, "not_suitable", "Uncontrolled"),
        ({"numbing_cream_allergy": "yes"}, "clinician_review", "An allergy to numbing cream"),
        ({"sunburn": "yes"}, "not_yet", "Screen again once the sunburn has fully healed."),
        ({"other_skin_treatment": "2026-11-20"}, "not_yet", "until Fri 4 Dec 2026"),
        ({"toxin_or_filler": "2026-11-10"}, "not_yet", "until Tue 24 Nov 2026"),
        ({"implants": "yes"}, "clinician_review", "Gold threads or other implants in the area."),
        ({"open_wound": "yes"}, "not_suitable", "An open wound, cut or graze on the skin."),
    ],
)
def test_it_screens_by_the_protocols_rules(
    staff_client: Client, patient: Patient, changes: dict[str, str], status: str, shown: str
) -> None:
    response = post(staff_client, patient, answers(**changes))
    assert Screening.objects.get().status == status
    assert shown in staff_client.get(response["Location"]).text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"isotretinoin": "2026-02-30"}, "isotretinoin", "Enter a valid date."),
        ({"radiation": "2026-11-22"}, "radiation", "This date is in the future."),
        (
            {"isotretinoin": "2026-10-01", "isotretinoin__current": "on"},
            "isotretinoin",
            "Give one answer: a date, 'Never' or 'Taking it now', not both.",
        ),
        (
            {"isotretinoin__never": "on", "isotretinoin__current": "on"},
            "isotretinoin",
            "Give one answer: a date, 'Never' or 'Taking it now', not both.",
        ),
        (
            {"toxin_or_filler": "2026-11-01", "toxin_or_filler__never": "on"},
            "toxin_or_filler",
            "Give one answer: a date or 'Never', not both.",
        ),
        ({"pregnant": "maybe"}, "pregnant", "Select a valid choice."),
        ({"fitzpatrick": "vii"}, "fitzpatrick", "Select a valid choice."),
        ({"active_skin_condition": "ac\u202ene"}, "active_skin_condition", "invisible"),
        ({"active_skin_condition": "x" * 10_000}, "active_skin_condition", "at most 500"),
    ],
)
def test_it_refuses_bad_answers_and_keeps_the_others(
    staff_client: Client, patient: Patient, changes: dict[str, str], field: str, message: str
) -> None:
    data = answers(**({"breastfeeding": "yes", "radiation": "2026-01-05"} | changes))
    response = post(staff_client, patient, data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Screening.objects.exists()
    assert 'value="yes" id="id_breastfeeding_0" checked' in response.text.replace("\n", " ")
    if field != "radiation":
        assert 'value="2026-01-05"' in response.text


def test_a_screening_of_another_patient_is_not_found(
    staff_client: Client, patient: Patient, other_patient: Patient
) -> None:
    post(staff_client, other_patient, answers())
    screening = Screening.objects.get()
    url = reverse("staff:screening", args=[patient.pk, screening.pk])
    response = staff_client.get(url)
    assert response.status_code == 404
    assert "Bob" not in response.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_clinics_patient_cannot_be_screened(
    client: Client, patient: Patient, outsider: StaffMember, method: str
) -> None:
    client.force_login(outsider.user)
    url = reverse("staff:screening_new", args=[patient.pk])
    response = getattr(client, method)(url, answers())
    assert response.status_code == 404
    assert "Alice" not in response.text
    assert not Screening.objects.exists()
    denied = AuditEvent.objects.get(outcome=Outcome.DENIED)
    assert (denied.action, denied.object_id) == ("screening.create", str(patient.pk))


def test_another_clinics_screening_is_not_found(
    client: Client, staff_client: Client, patient: Patient, outsider: StaffMember
) -> None:
    response = post(staff_client, patient, answers())
    client.force_login(outsider.user)
    denied = client.get(response["Location"])
    assert denied.status_code == 404
    assert "Alice" not in denied.text
    assert AuditEvent.objects.filter(action="screening.view", outcome=Outcome.DENIED).count() == 1
