"""``aftercare retention --dry-run | --apply``: erase patients past their clinic's retention
period (by default 8 years after their last treatment), except those on legal hold.

Patients are named by their id, never their name: the output may end up in a cron mail.
Each erasure is in the clinic's register and audit log, with the system as the actor.
"""

from __future__ import annotations

import argparse
from typing import Any

from aftercare.cli.audit import clinics_from_args

__all__ = ["register"]


def register(subparsers: Any) -> None:
    retention = subparsers.add_parser(
        "retention",
        help="erase patients past their clinic's retention period",
        description="List (--dry-run) or erase (--apply) patients past the retention period.",
    )
    mode = retention.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="list them, change nothing")
    mode.add_argument("--apply", action="store_true", help="erase them")
    retention.add_argument("--clinic", metavar="SLUG", help="only this clinic (default: all)")
    retention.set_defaults(handler=run_retention)


def run_retention(args: argparse.Namespace) -> int:
    clinics = clinics_from_args(args.clinic)
    from aftercare.web import clock
    from aftercare.web.erasure import erase_patient, past_retention, retention_reason

    now = clock.now()
    erased = held = due = 0
    for clinic in clinics:
        for overdue in past_retention(clinic, now):
            patient = overdue.patient
            since = overdue.last_care_at.date().isoformat()
            if overdue.is_held:
                held += 1
                print(
                    f"clinic {clinic.slug}: patient {patient.pk} (since {since}) kept: legal hold"
                )
            elif args.apply:
                erasure = erase_patient(None, patient, retention_reason(clinic), now)
                erased += 1
                print(
                    f"clinic {clinic.slug}: patient {patient.pk} (since {since}) erased"
                    f" (erasure {erasure.pk})"
                )
            else:
                due += 1
                print(f"clinic {clinic.slug}: patient {patient.pk} (since {since}) would be erased")
    verb = f"{erased} erased" if args.apply else f"{due} would be erased"
    print(f"retention: {verb}, {held} kept by legal hold")
    return 0
