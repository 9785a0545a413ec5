"""A provider cannot hold a message past the worker's lease, and SIGTERM is honoured
mid-send: against a real local server that drips one header line a second, for ever."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aftercare.web.reminders.transports import OutgoingMessage, TemporaryError, WebhookSmsTransport
from tests.web.live import aftercare_command, environment
from tests.web.test_worker_cli import SETUP

# Deadlines here are waits between threads, measured on the machine's monotonic clock:
# libfaketime moves that clock but not the kernel's timed waits, so these run on the real
# clock only. They decide nothing by the date.
pytestmark = pytest.mark.machine_clock

MESSAGE = OutgoingMessage("sms", "+447700900123", "", "Sunscreen today.", "key-1")


class Drip:
    """Answers every request with a status line, then one header line a second."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.requests = 0
        self.held: list[float] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(client,), daemon=True).start()

    def _drip(self, client: socket.socket) -> None:
        start = time.monotonic()
        try:
            client.recv(65536)
            self.requests += 1
            client.sendall(b"HTTP/1.1 200 OK\r\n")
            for n in range(600):
                time.sleep(1)
                client.sendall(f"X-Drip-{n}: still here\r\n".encode())
        except OSError:
            pass
        finally:
            self.held.append(time.monotonic() - start)
            client.close()


@pytest.fixture
def drip() -> Iterator[Drip]:
    server = Drip()
    yield server
    server.listener.close()


def test_it_gives_up_on_a_dripping_provider_at_the_deadline(drip: Drip) -> None:
    transport = WebhookSmsTransport(drip.url, timeout=10, deadline=2)
    start = time.monotonic()
    with pytest.raises(TemporaryError, match=r"^SMS webhook took longer than 2 s$"):
        transport.send(MESSAGE)
    took = time.monotonic() - start
    assert 2 <= took < 3
    # A provider that answers at once is still reached, on a fresh connection.
    with pytest.raises(TemporaryError, match="took longer"):
        transport.send(MESSAGE)
    assert drip.requests == 2


def worker_setup(tmp_path: Path, drip: Drip) -> dict[str, str]:
    env = environment(tmp_path)
    env["AFTERCARE_SECRET_KEY"] = "send-deadline-test-" + "x" * 40
    env["DJANGO_SETTINGS_MODULE"] = "aftercare.web.config.settings"
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, timeout=60)
    env["AFTERCARE_SMS_WEBHOOK_URL"] = drip.url
    return env


def rows(tmp_path: Path) -> list[tuple[str, int, str, str]]:
    with sqlite3.connect(tmp_path / "aftercare.sqlite3") as db:
        return db.execute(
            "SELECT status, attempts, leased_by, last_error FROM clinic_reminder"
            " WHERE attempts > 0 OR status != 'scheduled'"
        ).fetchall()


def test_each_message_is_cut_off_well_inside_the_lease(tmp_path: Path, drip: Drip) -> None:
    # A lease of 12 s: each send may take 3 s, and no new one starts after 8.4 s.
    env = worker_setup(tmp_path, drip)
    with sqlite3.connect(tmp_path / "aftercare.sqlite3") as db:
        db.execute("DELETE FROM clinic_reminder WHERE idempotency_key > 'k03'")
    start = time.monotonic()
    run = subprocess.run(
        aftercare_command("worker", "--once", "--lease-seconds", "12"),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.monotonic() - start
    assert run.returncode == 0, run.stderr
    tried = rows(tmp_path)
    figures = {"tried": len(tried), "longest_hold": round(max(drip.held), 1), "took": round(took)}
    print("slow-drip webhook, 12 s lease:", json.dumps(figures))
    # Four on an idle machine; a busy one starts its sends later, and so fewer of them:
    # never more, and each cut at its 3 s.
    assert 1 <= len(tried) <= 4
    assert all(row == ("scheduled", 1, "", "SMS webhook took longer than 3 s") for row in tried)
    # The server notices the cut at its next line, a second or so after it.
    assert max(drip.held) < 3 + 4


def test_sigterm_mid_send_stops_the_worker_within_seconds(tmp_path: Path, drip: Drip) -> None:
    env = worker_setup(tmp_path, drip)
    worker = subprocess.Popen(
        aftercare_command("worker"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while drip.requests < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)
    asked = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=15)
    stopped = time.monotonic() - asked
    print("SIGTERM mid-send:", json.dumps({"stopped_seconds": round(stopped, 1)}))
    assert worker.returncode == 0, err
    assert stopped < 5
    assert out == b"worker stopped: retried 1\n"
    tried = rows(tmp_path)
    assert tried == [
        ("scheduled", 1, "", "sending was stopped: the worker is shutting down"),
    ]
