"""Emails are HTML with a plain-text part, in the clinic's branding: its name on a band of
its accent colour, its logo carried inside the email, and nothing fetched from anywhere."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import Message

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from pytest_django.fixtures import Settings

from aftercare.web.clinic.models import (
    Channel,
    Clinic,
    Patient,
    Reminder,
    ReminderKind,
    StaffMember,
    set_logo,
)
from aftercare.web.reminders.claim import claim
from aftercare.web.reminders.delivery import compose, deliver
from aftercare.web.reminders.email_html import LOGO_CONTENT_ID, clinic_branding
from aftercare.web.reminders.schedule import sync_treatment
from aftercare.web.reminders.transports import Transports
from tests.web.conftest import NOW, picture
from tests.web.reminder_rows import treat

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
LEASE = timedelta(minutes=1)


@pytest.fixture
def emailed(patient: Patient, settings: Settings) -> Patient:
    settings.EMAIL_BACKEND = LOCMEM
    patient.email = "alice@example.com"
    patient.preferred_channel = Channel.EMAIL
    patient.consent_to_messages = True
    patient.save()
    return patient


def send_welcome(patient: Patient, staff: StaffMember) -> EmailMultiAlternatives:
    """Record a treatment, let the worker send its welcome email, and return that email."""
    sync_treatment(treat(patient, staff), NOW)
    welcome = Reminder.objects.get(kind=ReminderKind.WELCOME, channel=Channel.EMAIL)
    [claimed] = [c for c in claim(50, "w1", NOW, LEASE) if c.pk == welcome.pk]
    assert deliver(claimed, "w1", Transports(), NOW) == "sent"
    [sent] = mail.outbox
    assert isinstance(sent, EmailMultiAlternatives)
    return sent


def parts(sent: EmailMultiAlternatives) -> dict[str, Message]:
    """The leaf parts of the email as sent, by content type."""
    found: dict[str, Message] = {}
    for part in sent.message().walk():
        if not part.is_multipart():
            found[part.get_content_type()] = part
    return found


def text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


def test_a_sent_reminder_email_has_a_plain_and_an_html_part(
    emailed: Patient, practitioner: StaffMember
) -> None:
    sent = send_welcome(emailed, practitioner)
    found = parts(sent)
    assert set(found) == {"text/plain", "text/html"}
    assert sent.message().get_content_type() == "multipart/alternative"
    plain = text_of(found["text/plain"])
    assert plain == sent.body
    assert plain.startswith("Hello Alice, this is Alpha Clinic.\n\n")
    assert "<" not in plain.split("To stop these messages:")[0]


def test_the_html_names_the_clinic_and_greets_the_patient(
    emailed: Patient, practitioner: StaffMember
) -> None:
    html = text_of(parts(send_welcome(emailed, practitioner))["text/html"])
    assert '<div style="background:#1f5f8b;color:#ffffff;padding:14px 24px">' in html
    assert '<p style="margin:0;font-size:19px;font-weight:bold">Alpha Clinic</p>' in html
    assert ">Hello Alice, this is Alpha Clinic.</p>" in html
    assert "Your aftercare from Alpha Clinic</h1>" in html


def test_the_html_fetches_nothing(emailed: Patient, practitioner: StaffMember) -> None:
    set_logo(emailed.clinic, picture())
    html = text_of(parts(send_welcome(emailed, practitioner))["text/html"])
    assert not re.search(r"""(src|href)=["']?(https?:)?//[^"']*\.(png|jpe?g|gif|svg|css)""", html)
    assert "<link" not in html
    assert "<style" not in html
    assert "@import" not in html
    assert "url(" not in html


def test_a_clinic_name_with_markup_is_escaped_in_the_html_only(
    emailed: Patient, practitioner: StaffMember
) -> None:
    Clinic.objects.filter(pk=emailed.clinic_id).update(name="<b>Bold</b> & Co")
    emailed.refresh_from_db()
    found = parts(send_welcome(emailed, practitioner))
    html, plain = text_of(found["text/html"]), text_of(found["text/plain"])
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co</p>" in html
    assert "<b>" not in html
    assert plain.startswith("Hello Alice, this is <b>Bold</b> & Co.\n\n")


def test_the_logo_travels_inside_the_email(emailed: Patient, practitioner: StaffMember) -> None:
    logo = picture(size=(160, 64))
    set_logo(emailed.clinic, logo)
    sent = send_welcome(emailed, practitioner)
    assert sent.message().get_content_type() == "multipart/related"
    found = parts(sent)
    assert set(found) == {"text/plain", "text/html", "image/png"}
    image = found["image/png"]
    assert image["Content-ID"] == f"<{LOGO_CONTENT_ID}>"
    assert image.get_content_disposition() == "inline"
    assert image.get_payload(decode=True) == emailed.clinic.logo.png
    assert f'<img src="cid:{LOGO_CONTENT_ID}" alt=""' in text_of(found["text/html"])
    assert text_of(found["text/plain"]) == sent.body


def test_without_a_logo_there_is_no_picture(emailed: Patient, practitioner: StaffMember) -> None:
    html = text_of(parts(send_welcome(emailed, practitioner))["text/html"])
    assert "<img" not in html
    assert "cid:" not in html


def test_a_colour_the_settings_did_not_check_gives_way_to_the_default(clinic: Clinic) -> None:
    # Short enough for the column, but no colour: "red;x}" would end a CSS rule.
    Clinic.objects.filter(pk=clinic.pk).update(accent_colour="red;x}")
    clinic.refresh_from_db()
    assert clinic_branding(clinic).accent_colour == "#1f5f8b"


def test_a_text_message_carries_no_branding(patient: Patient, practitioner: StaffMember) -> None:
    patient.mobile = "+447700900123"
    patient.preferred_channel = Channel.SMS
    patient.consent_to_messages = True
    patient.save()
    set_logo(patient.clinic, picture())
    sync_treatment(treat(patient, practitioner), NOW)
    welcome = Reminder.objects.get(kind=ReminderKind.WELCOME, channel=Channel.SMS)
    [claimed] = [c for c in claim(50, "w1", NOW, LEASE) if c.pk == welcome.pk]
    assert compose(claimed, NOW).branding is None
