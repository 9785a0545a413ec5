"""How a reminder leaves the building: email through Django, SMS through a JSON webhook.

Every transport raises one of two errors, because the worker must act differently: a
``TemporaryError`` (a timeout, a busy server) is retried later; a ``PermanentError`` (the
address is refused for good) disables that destination until staff fix it. The
idempotency key travels with every message, so a provider can drop a retry it has seen.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import smtplib
import socket
import sys
import time
from dataclasses import dataclass
from typing import Protocol as TypingProtocol
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.utils.module_loading import import_string

from aftercare.web.clinic.models import Channel
from aftercare.web.reminders.deadline import Watchdog
from aftercare.web.reminders.email_html import Branding, attach_html
from aftercare.web.reminders.smtp import DeadlineEmailBackend

__all__ = [
    "SEND_DEADLINE_SECONDS",
    "ConsoleSmsTransport",
    "EmailTransport",
    "OutgoingMessage",
    "PermanentError",
    "TemporaryError",
    "Transport",
    "Transports",
    "WebhookSmsTransport",
    "configured_sms",
    "message_id",
]

WEBHOOK_TIMEOUT_SECONDS = 10
# The whole exchange, however slowly the provider answers: well inside a worker's lease.
SEND_DEADLINE_SECONDS = 15.0
_CUT = {
    "deadline": "{who} took longer than {seconds:g} s",
    "stopped": "sending was stopped: the worker is shutting down",
}
# Statuses that say the webhook itself is misconfigured or overloaded, not that the
# patient's number is bad: retried, so one wrong setting never disables every patient.
_RETRIED_CLIENT_STATUSES = frozenset({401, 403, 404, 408, 429})
_RESET_ERRORS = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class TemporaryError(Exception):
    """The message may go through later: retry with backoff."""


class PermanentError(Exception):
    """The destination refuses this message for good: stop using it."""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    channel: str
    to: str
    subject: str
    body: str
    idempotency_key: str
    # The clinic's name, colour and logo, for an email's HTML part; None: plain HTML.
    branding: Branding | None = None


class Transport(TypingProtocol):
    def send(self, message: OutgoingMessage) -> None: ...


def message_id(idempotency_key: str) -> str:
    """The email Message-ID for a key: the same reminder always carries the same id."""
    host = urlsplit(settings.BASE_URL).hostname or "aftercare"
    return f"<{idempotency_key}@{host}>"


class EmailTransport:
    """Django's configured email backend (console, file or SMTP). By SMTP, the whole
    exchange, from the server's greeting to its answer to QUIT, is cut off at the
    deadline, as the webhook's is."""

    def __init__(self, deadline: float = SEND_DEADLINE_SECONDS) -> None:
        self._deadline = deadline
        self._watchdog = Watchdog()
        self._watched: list[socket.socket] = []

    def send(self, message: OutgoingMessage) -> None:
        email = _email(message)
        backend = self._smtp(time.monotonic() + self._deadline)
        email.connection = backend
        try:
            failure = _attempt(email)
        finally:
            if backend is not None:
                _close_quietly(backend)
            why = self._watchdog.disarm()
            for watched in self._watched:
                watched.close()
            self._watched.clear()
        # A cut connection may even read as an answer (a line ends where the cut fell):
        # whatever was read, a cut exchange did not succeed.
        if why:
            raise TemporaryError(_CUT[why].format(who="mail server", seconds=self._deadline))
        if failure is not None:
            raise failure

    def abort(self, grace: float) -> None:
        """The worker is stopping: the message in hand has ``grace`` seconds to finish,
        then it is cut short, to be retried later."""
        self._watchdog.cut_by(time.monotonic() + grace, "stopped")

    def _smtp(self, until: float) -> DeadlineEmailBackend | None:
        """The watched SMTP backend when email goes by SMTP; None for the others (console,
        file, a test's), which Django then builds as configured."""
        if not issubclass(import_string(settings.EMAIL_BACKEND), SmtpBackend):
            return None

        def watch(plain: socket.socket) -> None:
            self._watched.append(plain.dup())
            self._watchdog.arm(self._watched[-1], until)

        return DeadlineEmailBackend(watch, until)


def _email(message: OutgoingMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        message.subject,
        message.body,
        settings.DEFAULT_FROM_EMAIL,
        [message.to],
        headers={"Message-ID": message_id(message.idempotency_key)},
    )
    # The same words as HTML, for mail apps that show it; the plain text stays first.
    attach_html(email, message.subject, message.body, message.branding)
    return email


def _attempt(email: EmailMultiAlternatives) -> Exception | None:
    """Send ``email``; the error to raise for the way it failed, or None when it went."""
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return PermanentError(f"recipient refused ({codes[0]})")
        return TemporaryError(f"recipient deferred ({codes[0] if codes else '?'})")
    except smtplib.SMTPResponseException as error:
        return TemporaryError(f"mail server answered {error.smtp_code}")
    except OSError as error:
        return TemporaryError(f"mail server unreachable: {type(error).__name__}")
    return None


def _close_quietly(backend: SmtpBackend) -> None:
    """Close a connection left half open (STARTTLS or the login failed, or it was cut):
    its QUIT is still under the deadline, and its failure adds nothing."""
    with contextlib.suppress(OSError):  # smtplib's errors are OSErrors
        backend.close()


class WebhookSmsTransport:
    """POST ``{"to", "body", "idempotency_key"}`` as JSON, on one kept-alive connection."""

    def __init__(
        self,
        url: str,
        timeout: float = WEBHOOK_TIMEOUT_SECONDS,
        deadline: float = SEND_DEADLINE_SECONDS,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("the SMS webhook must be an http:// or https:// address")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout = min(timeout, deadline)
        self._deadline = deadline
        self._watchdog = Watchdog()
        self._connection: http.client.HTTPConnection | None = None

    def send(self, message: OutgoingMessage) -> None:
        payload = {
            "to": message.to,
            "body": message.body,
            "idempotency_key": message.idempotency_key,
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.idempotency_key,
        }
        status = self._within_deadline(body, headers)
        if 200 <= status < 300:
            return
        if 400 <= status < 500 and status not in _RETRIED_CLIENT_STATUSES:
            raise PermanentError(f"SMS webhook refused the message ({status})")
        raise TemporaryError(f"SMS webhook answered {status}")

    def abort(self, grace: float) -> None:
        """The worker is stopping: the message in hand has ``grace`` seconds to finish,
        then it is cut short, to be retried later."""
        self._watchdog.cut_by(time.monotonic() + grace, "stopped")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _within_deadline(self, body: bytes, headers: dict[str, str]) -> int:
        """``_post``, cut off when the whole exchange takes longer than the deadline."""
        self._until = time.monotonic() + self._deadline
        try:
            status = self._post(body, headers)
        except TemporaryError:
            status = 0
            if not self._watchdog.why:
                self._watchdog.disarm()
                raise
        # A cut connection may even read as a complete answer (its headers end where the
        # cut fell): whatever was read, a cut exchange did not succeed.
        why = self._watchdog.disarm()
        if why:
            self.close()
            raise TemporaryError(_CUT[why].format(who="SMS webhook", seconds=self._deadline))
        return status

    def _post(self, body: bytes, headers: dict[str, str]) -> int:
        reused = self._connection is not None
        try:
            return self._exchange(body, headers)
        except _RESET_ERRORS:
            self.close()
            if not reused or self._watchdog.why:
                raise TemporaryError("SMS webhook closed the connection") from None
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise TemporaryError(f"SMS webhook unreachable: {type(error).__name__}") from None
        # A kept-alive connection the server had closed: try once more on a fresh one.
        try:
            return self._exchange(body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise TemporaryError(f"SMS webhook unreachable: {type(error).__name__}") from None

    def _exchange(self, body: bytes, headers: dict[str, str]) -> int:
        connection = self._connection or self._connect()
        self._connection = connection
        if connection.sock is None:
            connection.timeout = max(0.1, min(self._timeout, self._until - time.monotonic()))
            connection.connect()
        self._watchdog.arm(cast(socket.socket, connection.sock), self._until)
        connection.request("POST", self._path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.will_close:
            self.close()
        return response.status

    def _connect(self) -> http.client.HTTPConnection:
        if self._scheme == "https":
            return http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout)
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)


class ConsoleSmsTransport:
    """Development: the text is printed, as Django's console backend prints email."""

    def send(self, message: OutgoingMessage) -> None:
        sys.stdout.write(f"SMS to {message.to}\n{message.body}\n{'-' * 40}\n")
        sys.stdout.flush()


class Transports:
    """One transport per channel, built once per worker so connections are reused."""

    def __init__(
        self,
        email: Transport | None = None,
        sms: Transport | None = None,
        deadline: float = SEND_DEADLINE_SECONDS,
    ) -> None:
        self.email = email or EmailTransport(deadline)
        self.sms = sms or configured_sms(deadline)

    def abort(self, grace: float) -> None:
        """The worker is stopping: cut short, after ``grace`` seconds, a message still
        being sent."""
        for transport in (self.email, self.sms):
            abort = getattr(transport, "abort", None)
            if abort is not None:
                abort(grace)

    def for_channel(self, channel: str) -> Transport:
        if channel == Channel.EMAIL:
            return self.email
        if channel == Channel.SMS:
            return self.sms
        raise PermanentError(f"no transport for channel {channel!r}")


def configured_sms(deadline: float = SEND_DEADLINE_SECONDS) -> Transport:
    """The webhook when AFTERCARE_SMS_WEBHOOK_URL is set, else the console."""
    url = getattr(settings, "SMS_WEBHOOK_URL", "")
    return WebhookSmsTransport(url, deadline=deadline) if url else ConsoleSmsTransport()
