"""The benches still run against today's schema and pages, and print their lines.

Their figures are not judged here (a shared machine's timings decide nothing): only that
each bench gets through its routes, so a schema or sign-in change cannot break one
unnoticed until somebody needs its figures.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
LINE = r"{} at_30_ms=\d+\.\d\d at_60_ms=\d+\.\d\d growth=\d+\.\d\d$"


def run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_scale_bench_times_every_route() -> None:
    out = run(
        str(BENCH / "scale.py"),
        "--small",
        "30",
        "--large",
        "60",
        "--rounds",
        "1",
        "--requests",
        "1",
    )
    for route in (
        "dashboard",
        "patients_first_page",
        "patients_last_page",
        "search",
        "api_patients",
        "api_patients_filter",
        "api_patients_filter_family",
        "worker_claim",
    ):
        assert re.search(LINE.format(route), out, re.MULTILINE), out


@pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk (apt-get install wrk)")
def test_the_web_bench_serves_every_target() -> None:
    out = run(str(BENCH / "web.py"), "--rounds", "1", "--seconds", "1")
    for name in ("bare", "portal_today", "api_plan", "checkin_write", "dashboard"):
        line = rf"^{name} req/s=\d+ ratio=\d+\.\d+ p50_ms=\d+\.\d p99_ms=\d+\.\d$"
        assert re.search(line, out, re.MULTILINE), out


def test_the_cpu_bench_measures_the_floor_and_every_page() -> None:
    out = run(str(BENCH / "cpu.py"), "--requests", "1", "--rounds", "1")
    for name in ("floor", "portal_today", "api_plan", "dashboard"):
        assert re.search(rf"^{name} cpu_ms=\d+\.\d\d queries=\d+$", out, re.MULTILINE), out
