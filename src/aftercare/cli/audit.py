"""``aftercare audit verify``: check that no audit event was changed, removed or inserted.

Prints one line per clinic. Exits 0 when every chain is intact, 1 when one is broken
(naming the first event at fault), 2 on bad input. Keep the printed last hash somewhere
else (a ticket, an email): an intact chain cannot show that its newest events were cut
off, but a last hash that no longer appears can.
"""

from __future__ import annotations

import argparse
from typing import Any

from aftercare.cli.common import CliError
from aftercare.cli.startup import setup_django

__all__ = ["clinics_from_args", "register"]


def register(subparsers: Any) -> None:
    audit = subparsers.add_parser(
        "audit",
        help="check the audit log's hash chain",
        description="Check the audit log: each event's hash follows from the one before.",
    )
    actions = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify",
        help="exit 0 if intact, 1 naming the first changed, removed or inserted event",
        description="Recompute every clinic's audit chain; exit 1 at the first fault.",
    )
    verify.add_argument("--clinic", metavar="SLUG", help="only this clinic (default: all)")
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    clinics = clinics_from_args(args.clinic)
    from aftercare.web.audit_verify import verify_clinic

    intact = True
    for clinic in clinics:
        report = verify_clinic(clinic)
        print(report, flush=True)
        intact = intact and report.is_intact
    return 0 if intact else 1


def clinics_from_args(slug: str | None) -> list[Any]:
    """The clinic ``slug``, or every clinic; Django set up, the database as it is."""
    setup_django(create_secret_key=False)
    from django.db import DatabaseError

    from aftercare.web.clinic.models import Clinic

    clinics = Clinic.objects.order_by("slug")
    if slug is not None:
        clinics = clinics.filter(slug=slug)
    try:
        found = list(clinics)
    except DatabaseError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CliError(f"cannot read the database: {first}") from None
    if slug is not None and not found:
        raise CliError(f"--clinic: no clinic has the slug {slug!r}")
    return found
