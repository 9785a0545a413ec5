"""Kill workers with SIGKILL while they send 10,000 text messages; count what arrived.

For SQLite (a temporary data directory) and PostgreSQL (DATABASE_URL's server, in a
database of its own, created and dropped here): migrate, create 10,000 due SMS reminders,
start a local HTTP sink that records every idempotency key (answering in 10 ms, as a
provider might, so the messages outlast the kills), run 2 ``aftercare worker`` processes
with a 2-second lease, ``kill -9`` a random one 24 times, each time at a random moment
once it is sending, and restart it, then let them drain. One line per database:

    db=sqlite sent_unique=10000 lost=0 duplicates=D kills=K stuck=0 sent_while_killing=S

Required: lost=0 and stuck=0; duplicates (deliveries beyond the first) no more than kills;
kills=24 (fewer means the messages ran out, or a worker never started sending).

Run: python bench/crash_reminders.py   (DATABASE_URL=postgres://postgres@127.0.0.1:5432/x
     for the PostgreSQL server to use: see --help for the database it makes there)
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from scratch_db import epilog, scratch_database

COUNT = 10_000
KILLS = 24
WORKERS = 2
DRAIN_SECONDS = 180
ANSWER_SECONDS = 0.01
# How long a restarted worker may take to send its first message.
START_SECONDS = 60
AFTERCARE = str(Path(sys.executable).parent / "aftercare")

# Run in a child process, so each database gets a fresh Django.
SETUP = """
import sys, django
django.setup()
from datetime import UTC, datetime, timedelta
from django.contrib.auth.models import User
from django.core.management import call_command
from aftercare.web.clinic.models import *
call_command("migrate", verbosity=0)
count = int(sys.argv[1])
clinic = Clinic.objects.create(slug="bench", name="Bench", phone="1", urgent_phone="2")
staff = StaffMember.objects.create(user=User.objects.create_user("bench"), clinic=clinic)
now = datetime.now(UTC) - timedelta(minutes=1)
patients = Patient.objects.bulk_create(Patient(clinic=clinic, given_name="P", family_name=str(n),
    mobile=f"+4477009{n:05}", consent_to_messages=True) for n in range(100))
treatments = Treatment.objects.bulk_create(Treatment(patient=p, treated_at=now,
    time_zone="Europe/London", protocol_id="m", protocol_version="1", created_by=staff)
    for p in patients)
Reminder.objects.bulk_create((Reminder(treatment=treatments[n % 100], patient=patients[n % 100],
    clinic=clinic, item=f"RM-bench:{n}", kind="sunscreen", channel="sms", due_at=now,
    body="Sunscreen.", idempotency_key=f"bench-{n:05}", protocol_version="1")
    for n in range(count)),
    batch_size=2000)
"""

STATUSES = """
import json, django
django.setup()
from django.db.models import Count
from aftercare.web.clinic.models import Reminder
rows = Reminder.objects.values("status").annotate(n=Count("pk"))
print(json.dumps({row["status"]: row["n"] for row in rows}))
"""


class Sink(BaseHTTPRequestHandler):
    """Counts deliveries by idempotency key, and by path: each worker posts to its own."""

    protocol_version = "HTTP/1.1"
    keys: ClassVar[Counter[str]] = Counter()
    paths: ClassVar[Counter[str]] = Counter()
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(ANSWER_SECONDS)
        with Sink.lock:
            Sink.keys[body["idempotency_key"]] += 1
            Sink.paths[self.path] += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A killed worker resets its connection: expected here, not worth a traceback."""


@contextmanager
def sink() -> Iterator[str]:
    Sink.keys.clear()
    Sink.paths.clear()
    server = QuietServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def base_environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AFTERCARE_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env["AFTERCARE_DATA_DIR"] = str(data_dir)
    env["AFTERCARE_SECRET_KEY"] = "bench-only-" + "k" * 50
    env["DJANGO_SETTINGS_MODULE"] = "aftercare.web.config.settings"
    return env


def python(script: str, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [AFTERCARE, "worker", "--lease-seconds", "2", "--poll-seconds", "0.2"]
    command += ["--batch", "20"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)


def is_sending(path: str) -> bool:
    """Wait until the worker posting to ``path`` has sent a message; False when it cannot,
    because nothing is left to send or it never started."""
    deadline = time.monotonic() + START_SECONDS
    while not Sink.paths[path]:
        if len(Sink.keys) >= COUNT or time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def statuses(env: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = json.loads(python(STATUSES, env))
    return counts


def run(label: str, env: dict[str, str], rng: random.Random) -> str:
    python(SETUP, env, str(COUNT))
    with sink() as url:
        started = itertools.count()

        def start() -> tuple[subprocess.Popen[bytes], str]:
            path = f"/sms/{next(started)}"
            return start_worker({**env, "AFTERCARE_SMS_WEBHOOK_URL": url + path}), path

        workers = [start() for _ in range(WORKERS)]
        kills = 0
        # Start-up takes a second or more; a worker killed before it sends tests nothing.
        while kills < KILLS:
            index = rng.randrange(WORKERS)
            worker, path = workers[index]
            if not is_sending(path):
                break
            time.sleep(rng.uniform(0, 0.3))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            kills += 1
            workers[index] = start()
        sent_while_killing = len(Sink.keys)
        deadline = time.monotonic() + DRAIN_SECONDS
        while len(Sink.keys) < COUNT and time.monotonic() < deadline:
            time.sleep(0.2)
        # Let the last marks land, then stop the workers as a deployment would.
        time.sleep(1)
        for worker, _ in workers:
            worker.send_signal(signal.SIGTERM)
        for worker, _ in workers:
            worker.wait(timeout=30)
        received = Counter(Sink.keys)
    counts = statuses(env)
    expected = {f"bench-{n:05}" for n in range(COUNT)}
    unique = len(expected & received.keys())
    lost = len(expected - received.keys())
    duplicates = sum(received.values()) - len(received)
    stuck = counts.get("scheduled", 0)
    return (
        f"db={label} sent_unique={unique} lost={lost} duplicates={duplicates} "
        f"kills={kills} stuck={stuck} sent_while_killing={sent_while_killing}"
    )


def main() -> None:
    argparse.ArgumentParser(description=__doc__, epilog=epilog("crash")).parse_args()
    rng = random.Random(int(os.environ.get("BENCH_SEED", str(time.time_ns()))))
    with tempfile.TemporaryDirectory(prefix="aftercare-crash-") as data_dir:
        print(run("sqlite", base_environment(Path(data_dir)), rng), flush=True)
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgres"):
        print("db=postgresql skipped: set DATABASE_URL=postgres://…", flush=True)
        return
    with (
        scratch_database(server_url, "crash") as url,
        tempfile.TemporaryDirectory(prefix="aftercare-crash-") as data_dir,
    ):
        env = base_environment(Path(data_dir))
        env["DATABASE_URL"] = url
        print(run("postgresql", env, rng), flush=True)


if __name__ == "__main__":
    main()
