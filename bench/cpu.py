"""Print the CPU each busy page costs a request, in this process, on the demo clinic.

The demo clinic is built in SQLite in a new temporary data directory (removed at the
end), as ``bench/web.py`` builds it, and each target is asked through
``django.test.Client`` (every middleware, the audit row each read writes): one line a
target, ``NAME cpu_ms=N queries=Q``: the process's CPU time over a round of requests
divided by their number, the least of the rounds (the audit writer's thread counts too).
A first line, ``floor``, is a path no route answers (a 404 through every middleware): what
any page costs before its own work, beside the bare Django view's 0.3 ms in bench/web.py's
server.
CPU time moves less than the wall clock with a shared machine's load, and the least of
several rounds less again, so runs taken in turn compare a change; ``--profile NAME``
prints where one target's time goes.

Run: python bench/cpu.py [--requests N] [--rounds N] [--profile NAME [--sort KEY]]
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web import Target, build, prepare_environment

MEASURED = ("portal_today", "api_plan", "dashboard")


def caller(target: Target) -> Callable[[], Any]:
    """One GET of ``target`` with its headers, checked to answer its page."""
    from django.test import Client

    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in target.headers.items()}
    client = Client(HTTP_HOST="127.0.0.1", **headers)

    def call() -> Any:
        response = client.get(target.path)
        assert response.status_code == 200, (target.name, response.status_code)
        return response

    return call


def floor_caller() -> Callable[[], Any]:
    """One GET of a path no route answers, with no session: the middleware alone."""
    from django.test import Client

    logging.getLogger("django.request").setLevel(logging.ERROR)  # not a warning a request
    client = Client(HTTP_HOST="127.0.0.1")

    def call() -> Any:
        response = client.get("/no-such-page")
        assert response.status_code == 404, response.status_code
        return response

    return call


def cpu_ms(call: Callable[[], Any], requests: int, rounds: int) -> tuple[float, int]:
    """CPU milliseconds a request, the least of ``rounds`` rounds of ``requests`` (another
    process on the machine only ever adds to a round's), and the queries one request
    sends."""
    from django.db import connection

    for _ in range(5):
        call()
    # Counted as sent: Django empties its own query log when a request starts.
    queries: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)
    ):
        call()
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(requests):
            call()
        best = min(best, (time.process_time() - start) * 1000 / requests)
    return best, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--requests", type=int, default=50, help="requests a round (50)")
    parser.add_argument("--rounds", type=int, default=9, help="rounds a target (9)")
    parser.add_argument("--profile", choices=MEASURED, help="print one target's profile")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (cumulative)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="aftercare-bench-cpu-"))
    try:
        prepare_environment(data_dir)
        calls = {t.name: caller(t) for t in build() if t.name in MEASURED}
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(cpu_ms, calls[args.profile], args.requests, 1)
            pstats.Stats(profile).sort_stats(args.sort).print_stats(40)
            return
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"load average {load} on {os.cpu_count()} CPUs (the machine is shared)")
        for name, call in {"floor": floor_caller(), **calls}.items():
            ms, queries = cpu_ms(call, args.requests, args.rounds)
            print(f"{name} cpu_ms={ms:.2f} queries={queries}", flush=True)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
