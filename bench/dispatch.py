"""Reminders per second through the worker, against the raw claim-and-mark SQL loop.

For SQLite and PostgreSQL (when DATABASE_URL names a server), with 1 and 2 processes:
the real ``Worker`` (claim, re-check, compose with the opt-out link, send, mark) using an
in-process null transport, so the figure is the worker's own cost and not a provider's;
and, in the same run on the same rows, the bare SQL a worker cannot do without (claim a
batch, mark each row sent on its own). Both commit as ``aftercare worker`` does
(PostgreSQL: ``synchronous_commit = off``, see ``worker.relax_commits``). Processes start
first and are timed from a common "go", given once all are ready, so start-up is not counted.

Run: python bench/dispatch.py   (targets: worker >= half the raw loop; >= 2,000/s on
     PostgreSQL with 2 workers)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crash_reminders import SETUP, base_environment, python
from scratch_db import epilog, scratch_database

COUNT = 10_000
BATCH = 100
# Each figure is the median of this many runs, the worker's and the raw loop's taken in
# turn, with the slowest and fastest run beside it. A run lasts about a second, and on
# SQLite two processes' runs vary by a third or more: a process that finds the write lock
# taken sleeps 1, 2, 5, 10 ms… (SQLite's busy handler) while the other works alone. The
# best of each side would set one lucky run against another; the median does not.
RUNS = 5

# Each child says it is ready, waits for the go file, works until nothing is due, and
# prints count and times.
WORKER = """
import json, os, sys, time, django
django.setup()
from datetime import timedelta
from aftercare.web.reminders.transports import Transports
from aftercare.web.reminders.worker import Worker, relax_commits
relax_commits()  # as `aftercare worker` does
class Null:
    def send(self, message): pass
worker = Worker(Transports(email=Null(), sms=Null()), batch=int(sys.argv[2]),
    lease=timedelta(seconds=60))
from aftercare.web.clinic.models import Reminder
Reminder.objects.exists()
print("ready", flush=True)
while not os.path.exists(sys.argv[1]): time.sleep(0.001)
start = time.time(); worker.drain(); end = time.time()
print(json.dumps({"n": worker.tally["sent"], "start": start, "end": end}))
"""

RAW = """
import json, os, sys, time, uuid, django
django.setup()
from datetime import UTC, datetime, timedelta
from django.db import connection, transaction
me, batch = uuid.uuid4().hex, int(sys.argv[2])
pg = connection.vendor == "postgresql"
CLAIM = ("UPDATE clinic_reminder SET leased_by = %s, lease_until = %s WHERE id IN ("
    "SELECT id FROM clinic_reminder WHERE status = 'scheduled' AND due_at <= %s"
    " AND (lease_until IS NULL OR lease_until < %s) ORDER BY due_at, id LIMIT %s"
    + (" FOR UPDATE SKIP LOCKED" if pg else "") + ") RETURNING id")
MARK = ("UPDATE clinic_reminder SET status = 'sent', sent_at = %s, lease_until = NULL"
    " WHERE id = %s AND leased_by = %s AND status = 'scheduled'")
cursor = connection.cursor()
if pg:
    cursor.execute("SET synchronous_commit TO off")  # as the worker's connections
# Marks on the driver's own cursor, with the moment as the driver takes it, as the worker's
# SentMarks does: the loop the worker is compared with pays no more than the worker does.
connection.ensure_connection()
driver = connection.connection.cursor()
DRIVER_MARK = MARK if pg else MARK.replace("%s", "?")
stamp = (lambda t: t) if pg else (lambda t: str(t.replace(tzinfo=None)))
print("ready", flush=True)
while not os.path.exists(sys.argv[1]): time.sleep(0.001)
start, n = time.time(), 0
while True:
    now = datetime.now(UTC)
    with transaction.atomic():
        cursor.execute(CLAIM, [me, now + timedelta(seconds=60), now, now, batch])
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        break
    for pk in ids:
        driver.execute(DRIVER_MARK, [stamp(datetime.now(UTC)), pk, me])
        n += driver.rowcount
end = time.time()
print(json.dumps({"n": n, "start": start, "end": end}))
"""

RESET = """
import django
django.setup()
from aftercare.web.clinic.models import Reminder
Reminder.objects.update(status="scheduled", leased_by="", lease_until=None, sent_at=None)
"""


def measure(script: str, processes: int, env: dict[str, str], data_dir: Path) -> float:
    """Reminders per second for ``processes`` copies of ``script`` on fresh rows."""
    python(RESET, env)
    go = data_dir / "go"
    go.unlink(missing_ok=True)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(go), str(BATCH)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    # Go only once every child is ready: the worker's start-up (Django, the URL
    # configuration) can outlast any fixed wait on a busy machine, and a child that starts
    # late leaves the other to work alone for part of the timed run.
    for child in children:
        assert child.stdout is not None
        if child.stdout.readline() != "ready\n":
            raise SystemExit("a child failed to start: " + child.communicate(timeout=300)[0])
    go.touch()
    results = [json.loads(child.communicate(timeout=300)[0]) for child in children]
    sent = sum(result["n"] for result in results)
    if sent != COUNT:
        raise SystemExit(f"expected {COUNT} sent, got {sent}")
    elapsed = max(r["end"] for r in results) - min(r["start"] for r in results)
    return sent / elapsed


def bench(label: str, env: dict[str, str], data_dir: Path) -> list[str]:
    python(SETUP, env, str(COUNT))
    rows = []
    for processes in (1, 2):
        worker: list[float] = []
        raw: list[float] = []
        for _ in range(RUNS):
            worker.append(measure(WORKER, processes, env, data_dir))
            raw.append(measure(RAW, processes, env, data_dir))
        ratio = median(worker) / median(raw)
        rows.append(
            f"{label:<11} {processes:>7} {spread(worker):>26} {spread(raw):>26} {ratio:>6.2f}"
        )
    return rows


def spread(figures: list[float]) -> str:
    """The median, with the slowest and fastest run: "9,800 (8,700 to 11,200)"."""
    return f"{median(figures):,.0f} ({min(figures):,.0f} to {max(figures):,.0f})"


def main() -> None:
    argparse.ArgumentParser(description=__doc__, epilog=epilog("dispatch")).parse_args()
    print(f"{'database':<11} {'workers':>7} {'worker/s':>26} {'raw/s':>26} {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="aftercare-dispatch-") as data_dir:
        for row in bench("sqlite", base_environment(Path(data_dir)), Path(data_dir)):
            print(row, flush=True)
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgres"):
        print("postgresql  skipped: set DATABASE_URL=postgres://…")
        return
    with (
        scratch_database(server_url, "dispatch") as url,
        tempfile.TemporaryDirectory(prefix="aftercare-dispatch-") as data_dir,
    ):
        env = base_environment(Path(data_dir))
        env["DATABASE_URL"] = url
        for row in bench("postgresql", env, Path(data_dir)):
            print(row, flush=True)
    print(
        f"transport: in-process null (no network); batch {BATCH}; median (slowest to fastest)"
        f" of {RUNS} runs; ratio of the medians"
    )


if __name__ == "__main__":
    main()
