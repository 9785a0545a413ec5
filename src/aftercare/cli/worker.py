"""``aftercare worker``: send due reminders, alone or beside other workers on any machine.

SIGTERM and Ctrl-C finish the message in hand, hand back the rest of the batch and exit
0, so a deployment can stop or restart workers at any moment without losing a message.
"""

from __future__ import annotations

import argparse
import signal
from datetime import timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any

from aftercare.cli.startup import check_protocols_installed, setup_django, startup_errors

if TYPE_CHECKING:
    from aftercare.web.reminders.worker import Worker

__all__ = ["register", "start_worker"]


def register(subparsers: Any) -> None:
    worker = subparsers.add_parser(
        "worker",
        help="send due reminders",
        description="Claim due reminders, send them, and record the outcome.",
    )
    worker.add_argument("--once", action="store_true", help="send everything due now, then exit")
    worker.add_argument(
        "--batch", type=_at_least(1, int), default=100, metavar="N", help="claim N at a time"
    )
    worker.add_argument(
        "--lease-seconds",
        type=_at_least(1, float),
        default=60.0,
        metavar="S",
        help="how long a claim lasts before another worker may take it (default 60)",
    )
    worker.add_argument(
        "--poll-seconds",
        type=_at_least(0.05, float),
        default=5.0,
        metavar="P",
        help="how long to wait when nothing is due (default 5)",
    )
    worker.set_defaults(handler=run_worker)


def start_worker(batch: int, lease_seconds: float, poll_seconds: float) -> Worker:
    """A worker with the configured transports; Django must already be set up."""
    from aftercare.web.reminders.transports import Transports
    from aftercare.web.reminders.worker import Worker, send_deadline

    lease = timedelta(seconds=lease_seconds)
    return Worker(
        Transports(deadline=send_deadline(lease)),
        batch=batch,
        lease=lease,
        poll_seconds=poll_seconds,
    )


def run_worker(args: argparse.Namespace) -> int:
    setup_django(create_secret_key=False)
    from django.db import connection

    from aftercare.web.reminders.worker import relax_commits

    with startup_errors():
        # Unreachable at start is a mistake to report; an outage later is waited out.
        connection.ensure_connection()
        check_protocols_installed()
        relax_commits()
        worker = start_worker(args.batch, args.lease_seconds, args.poll_seconds)

    def stop(signum: int, frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.once:
        worker.drain()
    else:
        worker.run()
    summary = ", ".join(f"{name} {count}" for name, count in sorted(worker.tally.items()))
    print(f"worker stopped: {summary or 'nothing due'}", flush=True)
    return 0


def _at_least(low: float, kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        if not value >= low:
            raise argparse.ArgumentTypeError(f"'{text}' must be at least {low:g}")
        return value

    return parse
