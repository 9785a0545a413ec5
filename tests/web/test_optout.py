"""Stopping messages: the link in every message, and the switch in the portal."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import (
    AuditEvent,
    Channel,
    Patient,
    PatientLink,
    Reminder,
    ReminderStatus,
    StaffMember,
    Treatment,
)
from aftercare.web.protocol import clinic_protocol
from aftercare.web.reminders.optout import _signer, optout_token, optout_url, read_optout_token
from aftercare.web.reminders.schedule import sync_reminders
from tests.web.conftest import NOW
from tests.web.reminder_fakes import use_fake_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_schedule(monkeypatch)


@pytest.fixture
def emailed(patient: Patient, practitioner: StaffMember) -> Patient:
    patient.email = "alice@example.com"
    patient.mobile = "+447700900123"
    patient.preferred_channel = Channel.EMAIL
    patient.consent_to_messages = True
    patient.save()
    protocol = clinic_protocol(patient.clinic)
    treatment = Treatment.objects.create(
        patient=patient,
        treated_at=NOW - timedelta(hours=1),
        time_zone="Europe/London",
        areas=["face"],
        protocol_id=protocol.effective_id,
        protocol_version=protocol.version,
        created_by=practitioner,
    )
    sync_reminders(treatment, NOW)
    return patient


def stop_url(patient: Patient, channel: str) -> str:
    return reverse("portal:stop", kwargs={"token": optout_token(patient.pk, channel)})


def waiting(channel: str) -> int:
    return Reminder.objects.filter(channel=channel, status=ReminderStatus.SCHEDULED).count()


def test_the_address_in_messages_is_absolute(emailed: Patient) -> None:
    url = optout_url(emailed.pk, "email")
    assert url.startswith("http") and url.endswith(stop_url(emailed, "email"))


def test_opening_the_link_only_asks(client: Client, emailed: Patient) -> None:
    for method in ("get", "head"):
        response = getattr(client, method)(stop_url(emailed, "email"))
        assert response.status_code == 200
    text = client.get(stop_url(emailed, "email")).text
    assert "<h1>Stop emails from Alpha Clinic?</h1>" in text
    assert "Alice" not in text and "alice@example.com" not in text
    emailed.refresh_from_db()
    assert emailed.email_opted_out_at is None
    assert waiting("email") == 5


def test_the_post_stops_that_channel_only(client: Client, emailed: Patient) -> None:
    Reminder.objects.filter(item="RM-welcome:1").update(status=ReminderStatus.SENT)
    response = client.post(stop_url(emailed, "email"))
    assert response.status_code == 200
    assert "Alpha Clinic will send you no more emails" in response.text
    emailed.refresh_from_db()
    assert emailed.email_opted_out_at == NOW
    assert emailed.sms_opted_out_at is None
    assert waiting("email") == 0
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == 1
    event = AuditEvent.objects.get(action="patient.optout")
    assert (event.patient_id, event.object_id, event.actor_patient_id) == (
        emailed.pk,
        "email",
        emailed.pk,
    )


def test_stopping_texts_leaves_emails(client: Client, emailed: Patient) -> None:
    client.post(stop_url(emailed, "sms"))
    emailed.refresh_from_db()
    assert emailed.sms_opted_out_at == NOW
    assert emailed.email_opted_out_at is None
    assert waiting("email") == 5


def test_a_second_post_keeps_the_first_moment(client: Client, emailed: Patient) -> None:
    client.post(stop_url(emailed, "email"))
    Patient.objects.filter(pk=emailed.pk).update(email_opted_out_at=NOW - timedelta(days=1))
    assert client.post(stop_url(emailed, "email")).status_code == 200
    emailed.refresh_from_db()
    assert emailed.email_opted_out_at == NOW - timedelta(days=1)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "x" * 2000,
        "eyJwIjoxLCJjIjoiZW1haWwifQ:1tAAAA:forged",
        "\u202e",
    ],
)
def test_a_forged_token_is_not_found(client: Client, emailed: Patient, token: str) -> None:
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("portal:stop", kwargs={"token": token}))
        assert response.status_code == 404
        assert b"Alpha" not in response.content and b"Alice" not in response.content
    emailed.refresh_from_db()
    assert emailed.email_opted_out_at is None


def test_a_tampered_token_is_not_found(
    client: Client, emailed: Patient, other_patient: Patient
) -> None:
    mine = optout_token(emailed.pk, "email")
    theirs = optout_token(other_patient.pk, "email")
    spliced = theirs.split(":")[0] + ":" + ":".join(mine.split(":")[1:])
    assert client.post(reverse("portal:stop", kwargs={"token": spliced})).status_code == 404
    assert client.get(stop_url(Patient(pk=999_999), "email")).status_code == 404


def test_tokens_are_djangos_signed_values(emailed: Patient) -> None:
    """Links already sent keep working: the token is what Django's own Signer makes."""
    plain = signing.Signer(salt="aftercare.reminders.optout")
    for pk, channel in ((emailed.pk, "email"), (emailed.pk, "sms"), (10**12, "email")):
        assert optout_token(pk, channel) == plain.sign(f"{pk}.{channel}")
        assert plain.unsign(optout_token(pk, channel)) == f"{pk}.{channel}"


def test_a_link_from_before_a_key_rotation_still_works(
    client: Client, emailed: Patient, settings: Any
) -> None:
    before = optout_token(emailed.pk, "email")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-" + "k" * 60
    _signer.cache_clear()
    try:
        assert optout_token(emailed.pk, "email") != before
        assert read_optout_token(before) == (emailed.pk, "email")
        assert client.post(reverse("portal:stop", kwargs={"token": before})).status_code == 200
        emailed.refresh_from_db()
        assert emailed.email_opted_out_at is not None
        settings.SECRET_KEY_FALLBACKS = []
        _signer.cache_clear()
        assert read_optout_token(before) is None
    finally:
        _signer.cache_clear()


def signed_in(patient: Patient) -> Client:
    client = Client()
    _, token = PatientLink.issue(patient, NOW)
    assert client.post(reverse("portal:open"), {"t": token}).status_code == 302
    return client


def test_the_portal_switches_messages_off_and_on(emailed: Patient) -> None:
    client = signed_in(emailed)
    today = client.get(reverse("portal:today")).text
    assert '<h2 id="messages-heading">Messages from Alpha Clinic</h2>' in today
    assert "<p>We send you reminders by email.</p>" in today
    assert 'value="stop" class="secondary">Stop emails</button>' in today
    response = client.post(
        reverse("portal:message_settings"), {"channel": "email", "choice": "stop"}, follow=True
    )
    assert "We will not send you emails." in response.text
    assert "<p>You asked us to stop emails.</p>" in response.text
    assert 'value="start" class="secondary">Send me emails again</button>' in response.text
    assert waiting("email") == 0
    response = client.post(
        reverse("portal:message_settings"), {"channel": "email", "choice": "start"}, follow=True
    )
    assert "We will send you emails again." in response.text
    emailed.refresh_from_db()
    assert emailed.email_opted_out_at is None
    assert waiting("email") == 5
    actions = list(
        AuditEvent.objects.filter(action__startswith="patient.opt").values_list("action", flat=True)
    )
    assert sorted(actions) == ["patient.optin", "patient.optout"]


@pytest.mark.parametrize(
    "data", [{}, {"channel": "fax", "choice": "stop"}, {"channel": "email", "choice": "maybe"}]
)
def test_the_portal_refuses_nonsense(emailed: Patient, data: dict[str, str]) -> None:
    client = signed_in(emailed)
    response = client.post(reverse("portal:message_settings"), data, follow=True)
    assert response.status_code == 200
    assert "nothing has changed" in response.text
    emailed.refresh_from_db()
    assert emailed.email_opted_out_at is None


def test_the_portal_switch_needs_a_post_and_a_patient(client: Client, emailed: Patient) -> None:
    response = client.post(
        reverse("portal:message_settings"), {"channel": "email", "choice": "stop"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/p/signed-out")
    assert signed_in(emailed).get(reverse("portal:message_settings")).status_code == 405
    emailed.refresh_from_db()
    assert emailed.email_opted_out_at is None


def test_a_patient_without_consent_is_told_there_are_no_messages(patient: Patient) -> None:
    text = signed_in(patient).get(reverse("portal:today")).text
    assert "The clinic does not send you messages." in text


def test_the_portal_switch_words_text_messages(emailed: Patient) -> None:
    Patient.objects.filter(pk=emailed.pk).update(preferred_channel=Channel.SMS)
    client = signed_in(emailed)
    today = client.get(reverse("portal:today")).text
    assert '<input type="hidden" name="channel" value="sms">' in today
    assert "<p>We send you reminders by text message.</p>" in today
    assert 'value="stop" class="secondary">Stop text messages</button>' in today
    response = client.post(
        reverse("portal:message_settings"), {"channel": "sms", "choice": "stop"}, follow=True
    )
    assert "We will not send you text messages." in response.text
    assert 'value="start" class="secondary">Send me text messages again</button>' in response.text
