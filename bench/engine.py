"""Print engine timings: protocol load, and median microseconds per plan, check, triage, screen.

Run: python bench/engine.py            (targets: plan <= 100 us, check <= 10 us,
                                         triage <= 20 us, screening <= 20 us)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date

from aftercare.engine.check import check
from aftercare.engine.localtime import parse_local, zone
from aftercare.engine.model import Factors
from aftercare.engine.screening import screen
from aftercare.engine.timeline import plan
from aftercare.engine.triage import symptom_report, triage
from aftercare.protocols.load import load_protocol

ROUNDS = 2000
REPEATS = 15


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
    factors = Factors(areas=frozenset({"face", "eyes"}), age=70, needle_depth_mm=1.5)
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


if __name__ == "__main__":
    main()
