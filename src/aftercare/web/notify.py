"""Send a message to a patient: email through Django's mail backends, SMS to a transport.

This is the notify layer the views use. In development both print to the console (Django's
console email backend, and ``ConsoleSms``); production sets ``AFTERCARE_EMAIL=smtp``. The
reminders worker adds real SMS transports behind the same ``send``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Protocol as TypingProtocol
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from aftercare.web.clinic.models import Channel, Clinic, Patient

__all__ = [
    "ConsoleSms",
    "Message",
    "NotifyError",
    "destination",
    "link_message",
    "link_url",
    "send",
]


class NotifyError(Exception):
    """The message could not be handed to its transport."""


@dataclass(frozen=True, slots=True)
class Message:
    channel: Channel
    to: str
    subject: str
    body: str


class SmsTransport(TypingProtocol):
    def send(self, message: Message) -> None: ...


class ConsoleSms:
    """Development SMS: the message goes to standard output, like Django's console email."""

    def send(self, message: Message) -> None:
        sys.stdout.write(f"SMS to {message.to}\n{message.body}\n{'-' * 40}\n")
        sys.stdout.flush()


def sms_transport() -> SmsTransport:
    return ConsoleSms()


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


def link_message(patient: Patient, clinic: Clinic, channel: Channel, url: str) -> Message:
    """The message carrying a patient's link to their aftercare plan."""
    context = {"patient": patient, "clinic": clinic, "url": url, "channel": channel}
    body = render_to_string("aftercare/messages/link.txt", context).strip() + "\n"
    subject = f"Your aftercare plan from {clinic.name}"
    return Message(channel, destination(patient, channel), subject, body)


def send(message: Message) -> None:
    """Hand ``message`` to its transport; raises NotifyError when that fails."""
    if not message.to:
        raise NotifyError("no address for this channel")
    try:
        if message.channel == Channel.EMAIL:
            EmailMessage(
                message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to]
            ).send()
        elif message.channel == Channel.SMS:
            sms_transport().send(message)
        else:
            raise NotifyError("the patient has asked for no messages")
    except OSError as error:
        raise NotifyError(f"the message could not be sent: {error.strerror or error}") from None
