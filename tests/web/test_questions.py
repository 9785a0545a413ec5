"""Questions the portal cannot answer: sent to the clinic's inbox, answered by staff, and
shown to the patient in the portal and by their channel; staff see what was not understood."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from aftercare.web.clinic.models import (
    AuditEvent,
    Patient,
    PatientQuestion,
    Reminder,
    ReminderKind,
    ReminderStatus,
    StaffMember,
)
from aftercare.web.reminders.transports import Transports
from aftercare.web.reminders.worker import Worker
from tests.web.conftest import NOW
from tests.web.test_portal_plan import page, sign_in, text, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]


@pytest.fixture
def alice(patient: Patient, practitioner: StaffMember) -> Client:
    patient.email = "alice@example.com"
    patient.preferred_channel = "email"
    patient.consent_to_messages = True
    patient.save()
    treat(patient, practitioner, NOW - timedelta(hours=30))
    browser = Client()
    sign_in(browser, patient)
    return browser


def send(browser: Client, question: str) -> int:
    response = browser.post(reverse("portal:send_question"), {"question": question})
    return response.status_code


def test_it_goes_round_trip_from_patient_to_staff_and_back(
    alice: Client, staff_client: Client
) -> None:
    assert send(alice, "Can I go on a sunbed for my wedding on the 30th?") == 302
    shown = text(page(alice, "can_i"))
    assert "Sent to Alpha Clinic. Their answer will show on this page and be sent to you." in shown
    assert (
        "You asked: Can I go on a sunbed for my wedding on the 30th? Waiting for an answer."
        in shown
    )

    dashboard = text(staff_client.get(reverse("staff:dashboard")).content.decode())
    assert "Questions from patients Patient Question Asked Action Alice Patient" in dashboard
    question = PatientQuestion.objects.get()
    url = reverse("staff:question", kwargs={"pk": question.pk})
    answer = "Not before day 14, and please use fake tan rather than a sunbed for the wedding."
    assert "Can I go on a sunbed for my wedding" in staff_client.get(url).content.decode()
    response = staff_client.post(url, {"answer": answer})
    assert response.status_code == 302
    # The request only queued it: the answer is the worker's to send.
    assert mail.outbox == []
    question.refresh_from_db()
    assert question.delivery == "Queued to send by email."
    assert "Waiting to be sent by email." in text(staff_client.get(url).content.decode())
    assert f"Alpha Clinic: {answer}" in text(page(alice, "can_i"))

    Worker(Transports(), worker_id="test").drain()
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert mail.outbox[0].subject == "Alpha Clinic has answered your question"
    assert mail.outbox[0].body.startswith("Hello Alice, Alpha Clinic here. You asked:")
    assert answer in mail.outbox[0].body
    assert "Answered" in (shown := text(staff_client.get(url).content.decode()))
    assert "Sent by email." in shown
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert {"question.send", "question.view", "question.answer"} <= set(actions)


def test_a_failed_send_is_retried_and_staff_see_how_it_went(
    alice: Client, staff_client: Client, settings: Settings
) -> None:
    send(alice, "Can I swim on Saturday?")
    question = PatientQuestion.objects.get()
    url = reverse("staff:question", kwargs={"pk": question.pk})
    staff_client.post(url, {"answer": "Not until day 14."})
    # A mail server that is down: nothing listens on the port.
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    Worker(Transports(), worker_id="test").drain()
    shown = text(staff_client.get(url).content.decode())
    assert "Not sent yet (mail server unreachable: ConnectionRefusedError); trying again" in shown
    (row,) = Reminder.objects.filter(patient=question.patient, kind=ReminderKind.ANSWER)
    assert (row.status, row.attempts) == (ReminderStatus.SCHEDULED, 1)


def test_a_patient_who_gets_no_messages_sees_the_answer_in_the_portal(
    alice: Client, staff_client: Client
) -> None:
    Patient.objects.update(consent_to_messages=False)
    send(alice, "Can I fly on Friday?")
    assert "Sent to Alpha Clinic. Their answer will show on this page. " in text(
        page(alice, "can_i")
    )
    question = PatientQuestion.objects.get()
    url = reverse("staff:question", kwargs={"pk": question.pk})
    staff_client.post(url, {"answer": "Yes."})
    assert not Reminder.objects.filter(kind=ReminderKind.ANSWER).exists()
    assert "Not sent: the patient gets no messages; they see it in their portal." in text(
        staff_client.get(url).content.decode()
    )
    assert "Alpha Clinic: Yes." in text(page(alice, "can_i"))


def test_it_refuses_a_second_answer(alice: Client, staff_client: Client) -> None:
    send(alice, "Can I dye my hair?")
    question = PatientQuestion.objects.get()
    url = reverse("staff:question", kwargs={"pk": question.pk})
    staff_client.post(url, {"answer": "Wait a week."})
    response = staff_client.post(url, {"answer": "Wait two weeks."})
    assert response.status_code == 200
    assert "This question has already been answered; the earlier answer is kept." in text(
        response.content.decode()
    )
    question.refresh_from_db()
    assert question.answer == "Wait a week."
    assert Reminder.objects.filter(kind=ReminderKind.ANSWER).count() == 1


def test_staff_see_the_questions_the_portal_did_not_understand(
    alice: Client, staff_client: Client
) -> None:
    page(alice, "can_i", q="can I eat spicy food?")
    page(alice, "can_i", q="can I go to the gym?")
    dashboard = text(staff_client.get(reverse("staff:dashboard")).content.decode())
    assert "Questions the portal did not understand" in dashboard
    assert "“can I eat spicy food?”" in dashboard
    assert "gym" not in dashboard
    assert "No questions are waiting for an answer." in dashboard


def test_another_clinic_cannot_read_or_answer_a_question(
    alice: Client, client: Client, outsider: StaffMember
) -> None:
    send(alice, "Can I fly on Friday?")
    question = PatientQuestion.objects.get()
    client.force_login(outsider.user)
    url = reverse("staff:question", kwargs={"pk": question.pk})
    assert client.get(url).status_code == 404
    response = client.post(url, {"answer": "Yes."})
    assert response.status_code == 404
    assert "Alice" not in response.content.decode()
    question.refresh_from_db()
    assert question.answer == ""


@pytest.mark.parametrize(
    ("question", "message"),
    [("   ", "Type your question for the clinic."), ("x" * 501, "Please keep it to 500")],
)
def test_it_refuses_a_blank_or_long_question(alice: Client, question: str, message: str) -> None:
    response = alice.post(reverse("portal:send_question"), {"question": question})
    assert response.status_code == 400
    assert message in text(response.content.decode())
    assert not PatientQuestion.objects.exists()
