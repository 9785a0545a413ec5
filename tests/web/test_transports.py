"""Transports: the email Message-ID, SMTP errors, and the SMS webhook against a real server."""

from __future__ import annotations

import json
import smtplib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from pytest_django.fixtures import Settings

from aftercare.web.clinic.models import Channel
from aftercare.web.reminders import notify
from aftercare.web.reminders.transports import (
    ConsoleSmsTransport,
    EmailTransport,
    OutgoingMessage,
    PermanentError,
    TemporaryError,
    Transports,
    WebhookSmsTransport,
)
from tests.web.live import free_port

KEY = "5" * 64
MESSAGE = OutgoingMessage("sms", "+447700900123", "Subject", "Sunscreen today.\n", KEY)


class RaisingBackend(BaseEmailBackend):
    error: ClassVar[Exception | None] = None

    def send_messages(self, email_messages: Any) -> int:
        assert RaisingBackend.error is not None
        raise RaisingBackend.error


def test_the_message_id_derives_from_the_key(settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BASE_URL = "https://aftercare.example.org"
    EmailTransport().send(OutgoingMessage("email", "alice@example.org", "Subject", "Body\n", KEY))
    [sent] = mail.outbox
    assert sent.message()["Message-ID"] == f"<{KEY}@aftercare.example.org>"
    assert (sent.to, sent.subject, sent.body) == (["alice@example.org"], "Subject", "Body\n")


def test_an_email_is_html_with_a_plain_text_part(settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    body = "Hello Alice, this is Alpha Clinic.\n\nSee https://example.org/p/ <now>\nthanks\n"
    subject = "Your aftercare from Alpha Clinic"
    EmailTransport().send(OutgoingMessage("email", "alice@example.org", subject, body, KEY))
    [sent] = mail.outbox
    assert sent.body == body
    [(html, kind)] = sent.alternatives
    assert kind == "text/html"
    assert "<h1" in html and "Your aftercare from Alpha Clinic</h1>" in html
    assert ">Hello Alice, this is Alpha Clinic.</p>" in html
    assert '<a href="https://example.org/p/" rel="nofollow">https://example.org/p/</a>' in html
    assert "&lt;now&gt;<br>thanks</p>" in html


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")}), PermanentError),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (451, b"try later")}), TemporaryError),
        (smtplib.SMTPSenderRefused(553, b"bad sender", "x@example.org"), TemporaryError),
        (smtplib.SMTPServerDisconnected("gone"), TemporaryError),
        (ConnectionRefusedError(111, "refused"), TemporaryError),
        (TimeoutError("timed out"), TemporaryError),
    ],
)
def test_smtp_errors_are_classified(
    settings: Settings, error: Exception, kind: type[Exception]
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RaisingBackend"
    RaisingBackend.error = error
    with pytest.raises(kind):
        EmailTransport().send(MESSAGE)


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received: ClassVar[list[tuple[str, dict[str, str], bytes, int]]] = []
    status: ClassVar[int] = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Sink.received.append((self.path, dict(self.headers), body, self.client_address[1]))
        self.send_response(Sink.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def sink() -> Iterator[str]:
    Sink.received.clear()
    Sink.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/sms?account=7"
    server.shutdown()
    server.server_close()


def test_the_webhook_gets_the_exact_body_and_header(sink: str) -> None:
    WebhookSmsTransport(sink).send(MESSAGE)
    [(path, headers, body, _)] = Sink.received
    assert path == "/hooks/sms?account=7"
    assert json.loads(body) == {
        "to": "+447700900123",
        "body": "Sunscreen today.\n",
        "idempotency_key": KEY,
    }
    assert headers["Idempotency-Key"] == KEY
    assert headers["Content-Type"] == "application/json; charset=utf-8"


def test_the_webhook_reuses_one_connection(sink: str) -> None:
    transport = WebhookSmsTransport(sink)
    for _ in range(3):
        transport.send(MESSAGE)
    ports = {port for *_, port in Sink.received}
    assert len(Sink.received) == 3
    assert len(ports) == 1


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, None),
        (202, None),
        (400, PermanentError),
        (410, PermanentError),
        (422, PermanentError),
        (401, TemporaryError),
        (404, TemporaryError),
        (408, TemporaryError),
        (429, TemporaryError),
        (500, TemporaryError),
        (503, TemporaryError),
    ],
)
def test_webhook_statuses_are_classified(
    sink: str, status: int, kind: type[Exception] | None
) -> None:
    Sink.status = status
    if kind is None:
        WebhookSmsTransport(sink).send(MESSAGE)
    else:
        with pytest.raises(kind):
            WebhookSmsTransport(sink).send(MESSAGE)
    assert len(Sink.received) == 1


def test_an_unreachable_webhook_is_a_temporary_error() -> None:
    with pytest.raises(TemporaryError):
        WebhookSmsTransport(f"http://127.0.0.1:{free_port()}/", timeout=2).send(MESSAGE)


def test_it_refuses_a_webhook_that_is_not_http() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        WebhookSmsTransport("ftp://example.org/")


def test_sms_goes_to_the_webhook_when_one_is_set(settings: Settings, sink: str) -> None:
    settings.SMS_WEBHOOK_URL = sink
    assert isinstance(Transports().sms, WebhookSmsTransport)
    settings.SMS_WEBHOOK_URL = ""
    assert isinstance(Transports().sms, ConsoleSmsTransport)


def test_console_sms_prints_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleSmsTransport().send(MESSAGE)
    assert "SMS to +447700900123\nSunscreen today.\n" in capsys.readouterr().out


def test_a_link_staff_send_by_text_goes_through_the_same_webhook(
    settings: Settings, sink: str
) -> None:
    settings.SMS_WEBHOOK_URL = sink
    notify.send(notify.Message(Channel.SMS, "+447700900123", "Your plan", "Your link\n"))
    [(_, headers, body, _)] = Sink.received
    sent = json.loads(body)
    assert (sent["to"], sent["body"]) == ("+447700900123", "Your link\n")
    assert headers["Idempotency-Key"] == sent["idempotency_key"]


def test_a_refused_link_message_is_a_notify_error(settings: Settings, sink: str) -> None:
    settings.SMS_WEBHOOK_URL = sink
    Sink.status = 400
    with pytest.raises(notify.NotifyError, match="refused"):
        notify.send(notify.Message(Channel.SMS, "+447700900123", "Your plan", "Your link\n"))
