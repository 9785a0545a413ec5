"""Print API response times on SQLite with 10,000 patients: the plan route against its target.

A temporary data directory gets a database migrated as ``aftercare serve`` migrates it,
two clinics of 5,000 patients each, one treatment per patient (bulk inserts) and one
read-write API key of the first clinic. Each route is then asked about different patients
of that clinic (the same random order for every route), after a warm-up, through
``django.test.Client``: the whole Django stack (every middleware, the URL resolver, the key
check, the audit row each read writes) without a socket. The figures are the median and
95th percentile of single requests, the median CPU time of one, and the database queries
each makes. On a shared machine a request also waits for a CPU, so the load average is
printed first.

With ``--http`` the same requests then go over HTTP to a real ``aftercare serve``
(waitress) on the same database, one keep-alive connection (wall-clock times only).

Run: python bench/api.py [--http]   (target: GET /api/v1/treatments/{id}/plan <= 30 ms median)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PATIENTS = 10_000
CLINICS = 2
REQUESTS = 400
WARM_UP = 40
TARGET_MS = 30.0
# The moment the data are made around; the requests run at the real time after it.
NOW = datetime.now(UTC).replace(microsecond=0)
AFTERCARE = str(Path(sys.executable).parent / "aftercare")


@dataclass(frozen=True, slots=True)
class Route:
    """One request to time: ``path`` takes a patient's id and their treatment's id."""

    name: str
    method: str
    path: Callable[[int, int], str]
    body: dict[str, Any] | None = None


TRIAGE = {"symptoms": [{"symptom": "redness", "trend": "stable"}], "hours_after": 30}
ROUTES = (
    Route("GET /api/v1/treatments/{id}/plan", "GET", lambda p, t: f"/api/v1/treatments/{t}/plan"),
    Route("GET /api/v1/patients/{id}", "GET", lambda p, t: f"/api/v1/patients/{p}"),
    Route("GET /api/v1/patients?limit=50", "GET", lambda p, t: "/api/v1/patients?limit=50"),
    Route("POST /api/v1/triage", "POST", lambda p, t: "/api/v1/triage", TRIAGE),
)


def prepare_environment(data_dir: Path) -> None:
    """The environment ``aftercare serve`` runs with on this machine, on a new data dir."""
    for name in [n for n in os.environ if n.startswith(("AFTERCARE_", "DJANGO_"))]:
        del os.environ[name]
    os.environ.pop("DATABASE_URL", None)
    os.environ["AFTERCARE_DATA_DIR"] = str(data_dir)
    os.environ["AFTERCARE_HTTPS"] = "false"


def build_database() -> tuple[str, list[tuple[int, int]]]:
    """Migrate, fill; the API key and the first clinic's (patient id, treatment id) pairs."""
    from aftercare.cli.startup import setup_django

    setup_django(create_secret_key=True)
    from django.core.management import call_command

    from aftercare.protocols.load import load_protocol
    from aftercare.web.clinic.models import Access, ApiKey, Clinic, Patient, Treatment

    call_command("migrate", verbosity=0, interactive=False)
    protocol = load_protocol()
    rng = random.Random(7)
    pairs: list[tuple[int, int]] = []
    for number in range(CLINICS):
        clinic = Clinic.objects.create(
            slug=f"clinic-{number}", name=f"Clinic {number}", phone="1", urgent_phone="2"
        )
        patients = Patient.objects.bulk_create(
            Patient(
                clinic=clinic,
                given_name="Patient",
                family_name=f"Family{n:05}",
                email=f"patient{n}@clinic{number}.example",
                created_at=NOW - timedelta(days=60),
            )
            for n in range(PATIENTS // CLINICS)
        )
        treatments = Treatment.objects.bulk_create(
            Treatment(
                patient=patient,
                treated_at=NOW - timedelta(hours=rng.randrange(1, 24 * 30)),
                time_zone="Europe/London",
                areas=["face"],
                protocol_id=protocol.effective_id,
                protocol_version=protocol.version,
                created_at=NOW - timedelta(days=1),
            )
            for patient in patients
        )
        if number == 0:
            pairs = [(t.patient_id, t.pk) for t in treatments]
            _, key = ApiKey.issue(clinic, "bench", Access.READ_WRITE, NOW)
    return key, pairs


def percentile(times: list[float], fraction: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def timed(
    send: Callable[[Route, int, int], int], route: Route, pairs: list[tuple[int, int]]
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per request over REQUESTS patients, after WARM_UP."""
    times, cpu_times = [], []
    for index, (patient, treatment) in enumerate(pairs[: WARM_UP + REQUESTS]):
        start, cpu_start = time.perf_counter(), time.process_time()
        status = send(route, patient, treatment)
        elapsed = (time.perf_counter() - start) * 1000
        cpu = (time.process_time() - cpu_start) * 1000
        assert status < 300, f"{route.name}: {status}"
        if index >= WARM_UP:
            times.append(elapsed)
            cpu_times.append(cpu)
    return times, cpu_times


def in_process(key: str) -> Callable[[Route, int, int], int]:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="localhost")

    def send(route: Route, patient: int, treatment: int) -> int:
        path = route.path(patient, treatment)
        if route.method == "POST":
            response = client.post(path, json.dumps(route.body), content_type="application/json")
        else:
            response = client.get(path)
        return response.status_code

    return send


def query_counts(key: str, pairs: list[tuple[int, int]]) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    send = in_process(key)
    send(ROUTES[0], *pairs[-1])  # the key's first use records it: not a per-request cost
    counts = {}
    for route in ROUTES:
        with CaptureQueriesContext(connection) as queries:
            send(route, *pairs[0])
        counts[route.name] = len(queries)
    return counts


def report(
    title: str,
    send: Callable[[Route, int, int], int],
    pairs: list[tuple[int, int]],
    queries: dict[str, int] | None = None,
) -> None:
    """One line a route; CPU and queries only when the server is this process."""
    print(title)
    heading = f"{'median ms':>9} {'p95 ms':>7} {'cpu ms':>7} {'queries':>7} {'target':>7}"
    print(f"  {'route':<36} {heading}")
    for route in ROUTES:
        times, cpu_times = timed(send, route, pairs)
        target = f"{TARGET_MS:g}" if route is ROUTES[0] else ""
        cpu = "" if queries is None else f"{statistics.median(cpu_times):.1f}"
        shown = "" if queries is None else str(queries[route.name])
        print(
            f"  {route.name:<36} {statistics.median(times):>9.1f} "
            f"{percentile(times, 0.95):>7.1f} {cpu:>7} {shown:>7} {target:>7}",
            flush=True,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(port: int) -> Iterator[None]:
    """``aftercare serve`` on this data directory, until the block ends."""
    command = [AFTERCARE, "serve", "--no-worker", "--port", str(port)]
    server = subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"aftercare serve stopped at once (exit {server.returncode})")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def over_http(key: str, port: int) -> Callable[[Route, int, int], int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def send(route: Route, patient: int, treatment: int) -> int:
        body = None if route.body is None else json.dumps(route.body)
        connection.request(route.method, route.path(patient, treatment), body, headers)
        response = connection.getresponse()
        response.read()
        return response.status

    return send


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", action="store_true", help="also time a real `aftercare serve`")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="aftercare-bench-api-"))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs")
    try:
        prepare_environment(data_dir)
        start = time.perf_counter()
        key, pairs = build_database()
        print(
            f"database: SQLite, {PATIENTS:,} patients, {PATIENTS:,} treatments, "
            f"built in {time.perf_counter() - start:.1f} s"
        )
        random.Random(11).shuffle(pairs)
        queries = query_counts(key, pairs)
        report("in process (django.test.Client, all middleware):", in_process(key), pairs, queries)
        if args.http:
            from django.db import connections

            connections.close_all()
            port = free_port()
            with served(port):
                report(
                    f"over HTTP (aftercare serve, waitress, port {port}):",
                    over_http(key, port),
                    pairs,
                )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
