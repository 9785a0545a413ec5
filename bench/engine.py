"""Print engine timings: protocol load, and median microseconds per plan, check, triage, screen;
then a whole command, `aftercare check makeup --hours-after 30`, beside `python -c "import
django"`: median wall-clock and CPU seconds of several runs, each a new process, after one
run that writes the bytecode and the protocol cache as an installed package has them.

Run: python bench/engine.py            (targets: plan <= 100 us, check <= 10 us,
                                         triage <= 20 us, screening <= 20 us,
                                         the command <= 0.25 s)
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from aftercare.engine.check import check
from aftercare.engine.localtime import parse_local, zone
from aftercare.engine.model import Factors
from aftercare.engine.screening import screen
from aftercare.engine.timeline import plan
from aftercare.engine.triage import symptom_report, triage
from aftercare.protocols.load import load_protocol

ROUNDS = 2000
REPEATS = 15
COMMAND_RUNS = 7
AFTERCARE = str(Path(sys.executable).parent / "aftercare")
COMMANDS = {
    "aftercare check makeup --hours-after 30": [
        AFTERCARE,
        "check",
        "makeup",
        "--hours-after",
        "30",
    ],
    'python -c "import django"': [sys.executable, "-c", "import django"],
}


def median_microseconds(call: Callable[[], object], rounds: int = ROUNDS) -> float:
    """Median over REPEATS batches of the mean time per call, in microseconds."""
    call()  # warm caches built on first use
    batches = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(rounds):
            call()
        batches.append((time.perf_counter() - start) / rounds * 1e6)
    return statistics.median(batches)


def main() -> None:
    start = time.perf_counter()
    protocol = load_protocol()
    _ = protocol.index
    load_ms = (time.perf_counter() - start) * 1e3
    treated_at = parse_local("2026-11-21 10:30", zone("Europe/London"))
    factors = Factors(areas=frozenset({"face", "eyes"}), age=70, values={"needle_depth_mm": 1.5})
    reports = [
        symptom_report(protocol, "redness", trend="stable"),
        symptom_report(protocol, "bruising"),
        symptom_report(protocol, "itching"),
    ]
    answers = {
        "isotretinoin": date(2026, 9, 1),
        "radiation": date(2025, 6, 1),
        "pregnant": False,
        "cold_sore_history": True,
        "diabetes": "controlled",
    }
    figures = {
        "plan": median_microseconds(lambda: plan(protocol, treated_at), 500),
        "check": median_microseconds(
            lambda: check(protocol, "makeup", 30.0, skin={"redness_resolved": False})
        ),
        "triage": median_microseconds(lambda: triage(protocol, reports, 100.0, factors)),
        "screening": median_microseconds(lambda: screen(protocol, answers, date(2026, 11, 21))),
    }
    print(f"protocol load: {load_ms:.1f} ms (parse, validate, check references, index)")
    for name, microseconds in figures.items():
        print(f"{name}: median {microseconds:.1f} us per call")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs (the machine is shared)")
    for name, command in COMMANDS.items():
        wall, cpu = command_seconds(command)
        print(f"{name}: median {wall:.3f} s wall, {cpu:.3f} s CPU")


def command_seconds(command: list[str]) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of COMMAND_RUNS runs, after a first one."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    walls, cpus = [], []
    for run in range(COMMAND_RUNS + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run:
            walls.append(time.perf_counter() - start)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


if __name__ == "__main__":
    main()
