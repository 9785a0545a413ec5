"""A mail server on implicit TLS (SMTPS, port 465) that drips its TLS handshake cannot hold
a message past the deadline: the socket is watched from the moment it connects, before
the handshake, not only once the server greets."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from aftercare.web.reminders.transports import EmailTransport, OutgoingMessage, TemporaryError

# A wait between threads on the machine's monotonic clock, which libfaketime cannot move.
pytestmark = pytest.mark.machine_clock

MESSAGE = OutgoingMessage("email", "slow@example.org", "Your aftercare", "Sunscreen.\n", "k-1")
# A TLS handshake record announcing 16 KB of ServerHello, which then comes a byte at a time.
RECORD_HEADER = bytes([0x16, 0x03, 0x03, 0x40, 0x00])


class DrippingHandshake:
    """Accepts one connection, reads the ClientHello and answers a byte every 0.4 s, each
    well inside any read timeout; it records how long the client stayed."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.held = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        conn, _ = self._listener.accept()
        start = time.monotonic()
        with conn:
            conn.recv(4096)  # the ClientHello
            with contextlib.suppress(OSError):
                conn.sendall(RECORD_HEADER)
                while not self._stop.wait(0.4):
                    conn.sendall(b"\x00")
        self.held = time.monotonic() - start

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._listener.close()


@pytest.fixture
def server(settings: Settings) -> Iterator[DrippingHandshake]:
    server = DrippingHandshake()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = False, True
    settings.EMAIL_TIMEOUT = 30  # per read: never what ends this exchange
    yield server
    server.close()


def test_a_dripping_tls_handshake_is_cut_at_the_deadline(server: DrippingHandshake) -> None:
    start = time.monotonic()
    with pytest.raises(TemporaryError, match=r"^mail server took longer than 2 s$"):
        EmailTransport(deadline=2).send(MESSAGE)
    took = time.monotonic() - start
    # Cut by the watchdog at the deadline (a socket watched only after the handshake ends
    # reports a timeout instead), with slack for a loaded machine's thread scheduling.
    assert 2 <= took < 5
