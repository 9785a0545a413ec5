"""Send a message to a patient: email through Django's mail backends, SMS to a transport.

This is the notify layer the views use, over the same transports as the reminders: email
through Django's backends (console in development, ``AFTERCARE_EMAIL=smtp`` in production),
text messages through the SMS webhook when one is set, else printed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from aftercare.web.clinic.models import Channel, Patient
from aftercare.web.reminders.email_html import Branding
from aftercare.web.reminders.transports import (
    EmailTransport,
    OutgoingMessage,
    PermanentError,
    TemporaryError,
    Transport,
    configured_sms,
)

__all__ = [
    "Message",
    "NotifyError",
    "destination",
    "link_url",
    "send",
    "sms_transport",
]


class NotifyError(Exception):
    """The message could not be handed to its transport."""


@dataclass(frozen=True, slots=True)
class Message:
    channel: Channel
    to: str
    subject: str
    body: str
    # The clinic's name, colour and logo, for an email's HTML part.
    branding: Branding | None = None


def sms_transport() -> Transport:
    """The SMS transport the reminders use too: the webhook, or the console."""
    return configured_sms()


def link_url(token: str) -> str:
    """The address a patient opens: the token travels in the query string, never the path,
    so that logs (which drop query strings) never hold it."""
    return f"{settings.BASE_URL}{reverse('portal:open')}?{urlencode({'t': token})}"


def destination(patient: Patient, channel: Channel) -> str:
    """The patient's address on ``channel``, or "" when they have none."""
    if channel == Channel.EMAIL:
        return patient.email
    if channel == Channel.SMS:
        return patient.mobile
    return ""


def send(message: Message) -> None:
    """Hand ``message`` to the transport of its channel, the one reminders use; raises
    NotifyError when that fails. Each message gets a fresh idempotency key: it is sent
    once, by a person, and never retried automatically."""
    if not message.to:
        raise NotifyError("no address for this channel")
    if message.channel not in {Channel.EMAIL, Channel.SMS}:
        raise NotifyError("the patient has asked for no messages")
    outgoing = OutgoingMessage(
        channel=message.channel,
        to=message.to,
        subject=message.subject,
        body=message.body,
        idempotency_key=secrets.token_hex(16),
        branding=message.branding if message.channel == Channel.EMAIL else None,
    )
    transport = EmailTransport() if message.channel == Channel.EMAIL else sms_transport()
    try:
        transport.send(outgoing)
    except (TemporaryError, PermanentError) as error:
        raise NotifyError(f"the message could not be sent: {error}") from None
