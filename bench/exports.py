"""Print export render times: the PDF leaflet, the calendar file and the FHIR Bundle.

One treatment the evening before the UK clocks go back, as the tests use. Each figure is
the median of several timed renders after a warm-up (fonts, templates and the protocol's
FHIR resources are built on first use), with the best shown beside it, and the median
CPU time of this process: on a shared machine, wall time also counts the time spent
waiting for a CPU, so the load average is printed first.

Run: python bench/exports.py   (targets: PDF <= 300 ms, ICS <= 5 ms, FHIR Bundle <= 20 ms,
     the Bundle built and encoded as JSON)
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from aftercare.engine.localtime import parse_local, zone
from aftercare.exports import ClinicInfo, Subject
from aftercare.exports.fhir import bundle, to_json
from aftercare.exports.ics import calendar
from aftercare.exports.pdf import treatment_leaflet
from aftercare.protocols.load import load_protocol

ZONE = "Europe/London"


def timings_ms(render: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """(median, best, median CPU) milliseconds over ``runs`` renders, after one warm-up."""
    render()
    times, cpu_times = [], []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        render()
        cpu_times.append((time.process_time() - cpu_start) * 1000)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), statistics.median(cpu_times)


def main() -> None:
    subject = Subject(
        protocol=load_protocol(),
        treated_at=parse_local("2026-10-24 20:00", zone(ZONE)),
        zone_name=ZONE,
        clinic=ClinicInfo("Harbour Clinic", "020 7946 0100", "020 7946 0101"),
        patient_name="Grace Hughes",
        patient_id="42",
        treatment_id="7",
    )
    at = datetime(2026, 10, 27, 12, 0, tzinfo=UTC)
    cases: list[tuple[str, Callable[[], object], int, float]] = [
        ("pdf leaflet", lambda: treatment_leaflet(subject), 15, 300),
        ("ics calendar", lambda: calendar(subject), 200, 5),
        ("fhir bundle", lambda: to_json(bundle(subject, at=at)), 100, 20),
    ]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs")
    print(f"{'export':<14} {'median ms':>10} {'best ms':>9} {'cpu ms':>8} {'target':>7}")
    for name, render, runs, target in cases:
        median, best, cpu = timings_ms(render, runs)
        print(f"{name:<14} {median:>10.1f} {best:>9.1f} {cpu:>8.1f} {target:>7g}")


if __name__ == "__main__":
    main()
