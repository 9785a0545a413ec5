"""Stand-ins for the web tests of reminders: a small reminder schedule, transports that record
what they are given, and an SMS provider.

The schedule follows the contract of ``aftercare.engine.reminders.schedule``: a welcome at
the end of treatment, a check-in prompt 30 hours later and three daily sunscreen reminders.
The provider is a real HTTP server on loopback, for the worker's real webhook transport.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from aftercare.engine.reminders import PlannedReminder, QuietHours
from aftercare.protocols.schema import Protocol
from aftercare.web.reminders.transports import OutgoingMessage, Transports

__all__ = [
    "FAKE_ITEMS",
    "FakeTransport",
    "WebhookSink",
    "fake_schedule",
    "transports",
    "use_fake_schedule",
    "webhook_sink",
]

# The fake schedule's items, in the order they fall due.
FAKE_ITEMS = ("RM-welcome:1", "RM-sunscreen:1", "RM-check-in:1", "RM-sunscreen:2", "RM-sunscreen:3")


def fake_schedule(
    protocol: Protocol,
    treated_at: datetime,
    zone_name: str,
    quiet: QuietHours,
    *,
    course_complete: bool = False,
) -> tuple[PlannedReminder, ...]:
    stamp = f"{treated_at:%Y-%m-%d %H:%M}"
    return (
        PlannedReminder("RM-welcome:1", "welcome", treated_at, f"Welcome ({stamp})"),
        *(
            PlannedReminder(
                f"RM-sunscreen:{day}", "sunscreen", treated_at + timedelta(days=day), f"SPF {day}"
            )
            for day in (1, 2, 3)
        ),
        PlannedReminder(
            "RM-check-in:1", "check_in", treated_at + timedelta(hours=30), "How is your skin?"
        ),
    )


def use_fake_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("aftercare.engine.reminders.schedule", fake_schedule)


class FakeTransport:
    """Records what it is given; raises the errors it is told to, in order."""

    def __init__(self, *errors: Exception) -> None:
        self.sent: list[OutgoingMessage] = []
        self.errors = list(errors)

    def send(self, message: OutgoingMessage) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(message)


def transports(sms: FakeTransport | None = None, email: FakeTransport | None = None) -> Transports:
    return Transports(email=email or FakeTransport(), sms=sms or FakeTransport())


class WebhookSink(ThreadingHTTPServer):
    """An SMS provider on loopback: it keeps every message it is given (its idempotency key
    as it arrives, its JSON body), and answers 200 after ``delay`` seconds."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), _SinkHandler)
        self.delay = delay
        self.keys: list[str] = []
        self.bodies: list[dict[str, Any]] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"


class _SinkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: WebhookSink

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.keys.append(self.headers["Idempotency-Key"])
        time.sleep(self.server.delay)
        self.server.bodies.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def webhook_sink(delay: float = 0.0) -> Iterator[WebhookSink]:
    sink = WebhookSink(delay)
    threading.Thread(target=sink.serve_forever, args=(0.01,), daemon=True).start()
    try:
        yield sink
    finally:
        sink.shutdown()
        sink.server_close()
