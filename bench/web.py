"""Print the app's throughput beside a bare Django JSON view's, on this machine's cores.

Both are served the same way: one waitress process per core, 8 threads each (``aftercare
serve --no-worker`` for the app, ``bench/bare.py`` for the yardstick), on SQLite in a new
temporary data directory holding the demo clinic (removed at the end). wrk (Debian's
``wrk`` package: ``apt-get install wrk``) drives each target over loopback with 16
connections; rounds go through every target in turn, so a change in a shared machine's
load falls on all of them, and each target's ratio is its requests per second over the
bare view's in the same round. One line a target, medians over the rounds:
``NAME req/s=N ratio=R p50_ms=A p99_ms=B``.

Targets: portal_today (``/p/``, a patient's session) and api_plan (``/api/v1/treatments/
{id}/plan``, a clinic's key) ratio >= 0.3 with p99 <= 50 ms; checkin_write (``POST
/api/v1/me/check-ins``) >= 0.15; dashboard (``/clinic/``, a practitioner) >= 0.2.

Run: python bench/web.py [--rounds N] [--seconds N] [--port N]
(--port N: the bare view on port N and the app on N + 1; by default two free ports)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).parent
AFTERCARE = str(Path(sys.executable).parent / "aftercare")
CONNECTIONS = 16
CHECK_IN = {"symptoms": ["redness"], "trend": "stable"}


@dataclass
class Target:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def wrk(self, port: int, seconds: int, script: Path) -> list[str]:
        command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
        for name, value in self.headers.items():
            command += ["-H", f"{name}: {value}"]
        if self.body:
            script.write_text(
                f'wrk.method = "POST"\nwrk.body = {json.dumps(self.body)}\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
            )
            command += ["-s", str(script)]
        return [*command, f"http://127.0.0.1:{port}{self.path}"]


@dataclass
class Result:
    per_second: float
    p50_ms: float
    p99_ms: float


def prepare_environment(data_dir: Path) -> None:
    for name in [n for n in os.environ if n.startswith(("AFTERCARE_", "DJANGO_"))]:
        del os.environ[name]
    os.environ.pop("DATABASE_URL", None)
    os.environ["AFTERCARE_DATA_DIR"] = str(data_dir)
    os.environ["AFTERCARE_HTTPS"] = "false"


def build() -> list[Target]:
    """The demo clinic, and the targets with the credentials each needs."""
    from aftercare.cli.startup import setup_django

    setup_django(create_secret_key=True)
    from django.core.management import call_command
    from django.test import Client

    from aftercare.web import clock
    from aftercare.web.clinic.models import (
        Access,
        ApiKey,
        Patient,
        PatientLink,
        Role,
        StaffMember,
    )
    from aftercare.web.demo import build_demo

    call_command("migrate", verbosity=0, interactive=False)
    build_demo(datetime.now(UTC))
    patient = Patient.objects.get(family_name="Davies")
    treatment = patient.treatments.get()
    _, key = ApiKey.issue(patient.clinic, "bench", Access.READ_WRITE, clock.now())
    staff = Client(HTTP_HOST="127.0.0.1")
    # The practitioner: the demo's administrator signs in with a second factor.
    practitioner = StaffMember.objects.get(clinic=patient.clinic, role=Role.PRACTITIONER)
    staff.force_login(practitioner.user)
    portal = Client(HTTP_HOST="127.0.0.1")
    _, token = PatientLink.issue(patient, clock.now())
    assert portal.post("/p/open", {"t": token}).status_code == 302
    portal.get("/p/check-in")
    # Each target answers with its page, not a redirect wrk would count as served.
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
    for client, path in (
        (portal, "/p/"),
        (staff, "/clinic/"),
        (api, f"/api/v1/treatments/{treatment.pk}/plan"),
    ):
        assert client.get(path).status_code == 200, path
    cookies = "; ".join(f"{c.key}={c.value}" for c in portal.cookies.values())
    csrf = portal.cookies["csrftoken"].value
    from django.db import connections

    connections.close_all()
    return [
        Target("bare", "/"),
        Target("portal_today", "/p/", {"Cookie": cookies}),
        Target(
            "api_plan",
            f"/api/v1/treatments/{treatment.pk}/plan",
            {"Authorization": f"Bearer {key}"},
        ),
        Target(
            "checkin_write",
            "/api/v1/me/check-ins",
            {"Cookie": cookies, "X-CSRFToken": csrf},
            json.dumps(CHECK_IN),
        ),
        Target(
            "dashboard", "/clinic/", {"Cookie": f"sessionid={staff.cookies['sessionid'].value}"}
        ),
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server(command: list[str], port: int, ready: str) -> Iterator[None]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if ready in line:
                break
        else:
            raise SystemExit(f"{command[0]} stopped (exit {process.wait()})")
        wait_for(port)
        yield
    finally:
        process.terminate()
        process.wait(timeout=60)


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)


def measure(target: Target, port: int, seconds: int, script: Path) -> Result:
    output = subprocess.run(
        target.wrk(port, seconds, script), capture_output=True, text=True, check=True
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{target.name}: {errors.group(1)} error responses\n{output}")
    return Result(
        float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        milliseconds(output, "50%"),
        milliseconds(output, "99%"),
    )


def milliseconds(output: str, percentile: str) -> float:
    found = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)\b", output)
    assert found, output
    value, unit = float(found.group(1)), found.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every target (3)")
    parser.add_argument("--seconds", type=int, default=5, help="wrk's run per target (5)")
    parser.add_argument("--port", type=int, default=0, help="bare on N, the app on N + 1")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    data_dir = Path(tempfile.mkdtemp(prefix="aftercare-bench-web-"))
    try:
        prepare_environment(data_dir)
        targets = build()
        ports = (args.port, args.port + 1) if args.port else (free_port(), free_port())
        run(targets, args.rounds, args.seconds, data_dir / "post.lua", ports)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(
    targets: list[Target], rounds: int, seconds: int, script: Path, ports: tuple[int, int]
) -> None:
    bare_port, app_port = ports
    bare = [sys.executable, str(BENCH / "bare.py"), "--port", str(bare_port)]
    app = [AFTERCARE, "serve", "--no-worker", "--port", str(app_port)]
    results: dict[str, list[tuple[Result, float]]] = {t.name: [] for t in targets}
    with server(bare, bare_port, "Serving"), server(app, app_port, "Serving on"):
        for target in targets:  # warm up every process of both servers
            measure(target, bare_port if target.name == "bare" else app_port, 1, script)
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"load average {load} on {os.cpu_count()} CPUs (the machine is shared)")
        for _ in range(rounds):
            round_results = {
                t.name: measure(t, bare_port if t.name == "bare" else app_port, seconds, script)
                for t in targets
            }
            for name, result in round_results.items():
                results[name].append((result, result.per_second / round_results["bare"].per_second))
    for name, rows in results.items():
        print(
            f"{name} req/s={statistics.median(r.per_second for r, _ in rows):.0f}"
            f" ratio={statistics.median(ratio for _, ratio in rows):.3f}"
            f" p50_ms={statistics.median(r.p50_ms for r, _ in rows):.1f}"
            f" p99_ms={statistics.median(r.p99_ms for r, _ in rows):.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
