"""Asking for a new portal link: the same reply whoever asks, a link that works sent on the
patient's own channel, limits per contact and per client, and nothing stored in clear.

Alice (``patient``) has a treatment; Bob (``other_patient``) is another patient of her clinic.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from aftercare.web import ratelimit
from aftercare.web.clinic.models import (
    ActorKind,
    AuditEvent,
    Channel,
    LinkRequest,
    Patient,
    PatientLink,
    Reminder,
    ReminderKind,
    ReminderStatus,
    StaffMember,
    Treatment,
)
from aftercare.web.reminders import transports
from aftercare.web.reminders.transports import OutgoingMessage, TemporaryError, Transports
from aftercare.web.reminders.worker import Worker
from tests.web.conftest import NOW
from tests.web.reminder_rows import make_treatment
from tests.web.test_portal_plan import QueryBound, set_now, text

pytestmark = pytest.mark.django_db

OPEN = reverse("portal:open")
NEW_LINK = reverse("portal:new_link")
SAME_REPLY = "If this address is one your clinic has for you, a new link is on its way"


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


@pytest.fixture
def treated(alice: Patient, practitioner: StaffMember) -> Patient:
    """Alice with a treatment, whose plan a new link shows."""
    make_treatment(alice, practitioner)
    return alice


@pytest.fixture
def sms(monkeypatch: pytest.MonkeyPatch) -> list[OutgoingMessage]:
    sent: list[OutgoingMessage] = []

    class Recorder:
        def send(self, message: OutgoingMessage) -> None:
            sent.append(message)

    monkeypatch.setattr(transports, "configured_sms", lambda deadline: Recorder())
    return sent


# --- asking for a new link ------------------------------------------------------------


def ask(client: Client, contact: str, address: str = "192.0.2.1") -> tuple[int, str]:
    """Ask for a new link; then the reminder worker sends what the request queued."""
    response = client.post(NEW_LINK, {"contact": contact}, REMOTE_ADDR=address)
    Worker(Transports(), worker_id="test").drain()
    return response.status_code, response.content.decode()


def test_the_new_link_form_has_a_labelled_field(client: Client) -> None:
    html = client.get(NEW_LINK).content.decode()
    assert '<label for="id_contact">Your email address or mobile number</label>' in html


@pytest.mark.usefixtures("treated")
def test_a_known_email_gets_a_link_that_works(client: Client, alice: Patient) -> None:
    status, html = ask(client, "  alice@EXAMPLE.com ")
    assert status == 200
    assert SAME_REPLY in html
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Alice@Example.com"]
    assert message.subject == "Your aftercare plan from Alpha Clinic"
    url = re.search(r"http://\S+", str(message.body))
    assert url is not None
    token = url.group(0).split("?t=", 1)[1]
    assert Client().post(OPEN, {"t": token}).status_code == 302
    event = AuditEvent.objects.get(action="portal.new_link")
    assert (event.actor_kind, event.patient_id) == (ActorKind.SYSTEM, alice.pk)


@pytest.mark.usefixtures("treated")
def test_an_unknown_contact_gets_the_same_reply_and_nothing_is_sent(
    client: Client, alice: Patient
) -> None:
    known = ask(client, "alice@example.com")
    unknown = ask(client, "nobody@example.com")
    assert known[0] == unknown[0] == 200
    assert text(known[1]) == text(unknown[1])
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="portal.new_link").count() == 1


@pytest.mark.usefixtures("treated")
def test_an_address_on_the_other_channel_gets_the_link_there(
    client: Client, alice: Patient, sms: list[OutgoingMessage]
) -> None:
    Patient.objects.filter(pk=alice.pk).update(preferred_channel=Channel.SMS)
    assert SAME_REPLY in ask(client, "alice@example.com")[1]
    assert [message.to for message in mail.outbox] == [["Alice@Example.com"]]
    assert sms == []


@pytest.mark.usefixtures("treated")
def test_a_patient_without_a_treatment_gets_nothing(client: Client, alice: Patient) -> None:
    Treatment.objects.filter(patient=alice).delete()
    assert SAME_REPLY in ask(client, "alice@example.com")[1]
    assert mail.outbox == []


@pytest.mark.parametrize(
    "change",
    [{"consent_to_messages": False}, {"preferred_channel": Channel.NONE}],
)
def test_nothing_is_sent_without_consent_or_on_another_channel(
    client: Client, alice: Patient, change: dict[str, object]
) -> None:
    Patient.objects.filter(pk=alice.pk).update(**change)
    status, html = ask(client, "alice@example.com")
    assert status == 200
    assert SAME_REPLY in html
    assert mail.outbox == []
    assert not PatientLink.objects.exists()
    assert not AuditEvent.objects.filter(action="portal.new_link").exists()


@pytest.mark.usefixtures("treated")
@pytest.mark.parametrize("typed", ["07700900123", "+44 7700 900123", "0044 (7700) 900-123"])
def test_a_mobile_number_matches_however_it_is_typed(
    client: Client, alice: Patient, sms: list[OutgoingMessage], typed: str
) -> None:
    Patient.objects.filter(pk=alice.pk).update(preferred_channel=Channel.SMS)
    assert ask(client, typed)[0] == 200
    assert [message.to for message in sms] == ["+447700900123"]
    assert "/p/open?t=" in sms[0].body
    assert mail.outbox == []


def test_a_different_mobile_number_gets_nothing(
    client: Client, alice: Patient, sms: list[OutgoingMessage]
) -> None:
    Patient.objects.filter(pk=alice.pk).update(preferred_channel=Channel.SMS)
    assert SAME_REPLY in ask(client, "07700 900124")[1]
    assert sms == []


@pytest.mark.usefixtures("treated")
def test_a_failed_send_is_retried_by_the_worker(
    client: Client, alice: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    Patient.objects.filter(pk=alice.pk).update(preferred_channel=Channel.SMS)

    class Refused:
        def send(self, message: OutgoingMessage) -> None:
            raise TemporaryError("SMS webhook answered 503")

    monkeypatch.setattr(transports, "configured_sms", lambda deadline: Refused())
    status, html = ask(client, "07700 900123")
    assert (status, SAME_REPLY in html) == (200, True)
    row = Reminder.objects.get(kind=ReminderKind.LINK)
    assert (row.status, row.attempts, row.last_error) == (
        ReminderStatus.SCHEDULED,
        1,
        "SMS webhook answered 503",
    )


@pytest.mark.usefixtures("treated")
def test_three_requests_per_contact_an_hour(
    client: Client, alice: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(3):
        assert ask(client, "alice@example.com", f"192.0.2.{number}")[0] == 200
    status, html = ask(client, "ALICE@example.com", "198.51.100.7")
    assert status == 429
    assert html == "Too many requests, try again in an hour."
    assert ask(client, "nobody@example.com", "198.51.100.8")[0] == 200
    unknown = [ask(client, "nobody@example.com", "198.51.100.8")[0] for _ in range(3)]
    assert unknown == [200, 200, 429]
    assert len(mail.outbox) == 3
    set_now(monkeypatch, NOW + timedelta(hours=1, seconds=1))
    assert ask(client, "alice@example.com")[0] == 200
    assert len(mail.outbox) == 4


@pytest.mark.usefixtures("treated")
def test_ten_requests_per_client_an_hour(client: Client, alice: Patient) -> None:
    statuses = [ask(client, f"person{n}@example.com")[0] for n in range(10)]
    assert statuses == [200] * 10
    assert ask(client, "alice@example.com")[0] == 429
    assert mail.outbox == []
    assert ask(client, "alice@example.com", "192.0.2.99")[0] == 200
    assert len(mail.outbox) == 1


def test_the_limit_counts_the_address_the_proxy_saw_not_what_the_client_claims(
    client: Client, alice: Patient, settings: Settings
) -> None:
    settings.PROXY_COUNT = 1
    for n in range(10):
        client.post(
            NEW_LINK,
            {"contact": f"p{n}@example.com"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 192.0.2.50",
        )
    blocked = client.post(
        NEW_LINK,
        {"contact": "alice@example.com"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.200, 192.0.2.50",
    )
    assert blocked.status_code == 429
    elsewhere = client.post(
        NEW_LINK,
        {"contact": "alice@example.com"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.50, 192.0.2.51",
    )
    assert elsewhere.status_code == 200


def test_nothing_about_the_contact_is_stored_in_clear(client: Client, alice: Patient) -> None:
    ask(client, "alice@example.com", "192.0.2.44")
    ask(client, "07700 900123", "192.0.2.44")
    rows = list(LinkRequest.objects.values("contact_hash", "ip_hash"))
    assert len(rows) == 2
    stored = " ".join(str(value) for row in rows for value in row.values())
    for secret in ("alice", "example.com", "7700", "900123", "192.0.2.44"):
        assert secret not in stored
    plain = hashlib.sha256(b"alice@example.com").hexdigest()
    assert plain not in stored
    assert rows[0]["contact_hash"] == ratelimit.keyed_hash("contact", "alice@example.com")
    audited = AuditEvent.objects.filter(action="portal.new_link").values()
    assert all("alice" not in str(row).lower() for row in audited)


def test_requests_older_than_a_day_are_removed(client: Client) -> None:
    LinkRequest.objects.create(contact_hash="a" * 64, ip_hash="b" * 64, at=NOW - timedelta(days=2))
    LinkRequest.objects.create(contact_hash="c" * 64, ip_hash="d" * 64, at=NOW - timedelta(hours=2))
    ask(client, "nobody@example.com")
    assert set(LinkRequest.objects.values_list("contact_hash", flat=True)) == {
        "c" * 64,
        ratelimit.keyed_hash("contact", "nobody@example.com"),
    }


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the email address or mobile number your clinic has."),
        ("not an address", "That is not an email address or a mobile number"),
        ("12345", "That is not an email address or a mobile number"),
        ("😀@😀", "That is not an email address or a mobile number"),
        ("alice\u200b@example.com", "Please remove the invisible character"),
        ("alice@example.com\u202e", "Please remove the invisible character"),
        ("a" * 10_000, "Ensure this value has at most 254 characters"),
    ],
)
def test_bad_contacts_get_the_form_back_with_what_was_typed(
    client: Client, alice: Patient, typed: str, message: str
) -> None:
    status, html = ask(client, typed)
    assert status == 200
    assert message in html
    assert f'value="{typed}"' in html
    assert SAME_REPLY not in html
    assert not LinkRequest.objects.exists()
    assert mail.outbox == []


def test_asking_for_a_link_makes_a_bounded_number_of_queries(
    client: Client, alice: Patient, django_assert_max_num_queries: QueryBound
) -> None:
    for n in range(30):
        Patient.objects.create(
            clinic=alice.clinic,
            given_name=f"P{n}",
            family_name="Many",
            mobile=f"07700 900{n:03d}",
            preferred_channel=Channel.SMS,
            consent_to_messages=True,
        )
    # Rate limit (4 in a transaction), then one scan of the numbers; none per patient.
    with django_assert_max_num_queries(8):
        response = client.post(NEW_LINK, {"contact": "07700 900999"}, REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 200
