"""``aftercare apikey``: create, list and revoke a clinic's API keys from the command line.

``create`` prints the key alone on its last line, so ``aftercare apikey create … | tail -1``
hands it to a script; it is shown then and never again. The name is checked by the care
layer, as the web page's is, so both refuse the same names with the same words. Creating
and revoking are written to the clinic's audit log, with the system as the actor.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from aftercare.cli.common import CliError
from aftercare.cli.startup import setup_django

if TYPE_CHECKING:
    from datetime import datetime

    from aftercare.web.clinic.models import ApiKey, Clinic

__all__ = ["register"]

# The command line's words for the two kinds of access, and the stored values.
ACCESS = {"read": "read", "read-write": "read_write"}
ACCESS_WORDS = {stored: word for word, stored in ACCESS.items()}
LIST_COLUMNS = ("PREFIX", "NAME", "ACCESS", "CREATED", "LAST USED", "REVOKED")


def register(subparsers: Any) -> None:
    apikey = subparsers.add_parser(
        "apikey",
        help="create, list and revoke a clinic's API keys",
        description="Create, list and revoke the keys other systems use for a clinic's API.",
    )
    actions = apikey.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = actions.add_parser(
        "create",
        help="create a key and print it once",
        description="Create an API key; the key is printed alone on the last line, once.",
    )
    create.add_argument("--clinic", required=True, metavar="SLUG", help="the clinic's slug")
    create.add_argument("--name", required=True, help="what uses the key, e.g. 'Booking system'")
    create.add_argument(
        "--access", choices=tuple(ACCESS), default="read", help="read (default) or read-write"
    )
    create.set_defaults(handler=run_create)

    listing = actions.add_parser(
        "list",
        help="list a clinic's keys (never the keys themselves)",
        description="List a clinic's API keys, tab-separated, newest first.",
    )
    listing.add_argument("--clinic", required=True, metavar="SLUG", help="the clinic's slug")
    listing.set_defaults(handler=run_list)

    revoke = actions.add_parser(
        "revoke",
        help="revoke a key, named by its prefix",
        description="Revoke the clinic's key that starts with PREFIX, as `list` shows it.",
    )
    revoke.add_argument("--clinic", required=True, metavar="SLUG", help="the clinic's slug")
    revoke.add_argument("prefix", metavar="PREFIX", help="the key's prefix, e.g. ak_Ab12Cd3")
    revoke.set_defaults(handler=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    clinic = _clinic(args.clinic)

    from aftercare.web import clock
    from aftercare.web.actor import SYSTEM
    from aftercare.web.care.api_keys import issue, name_problem
    from aftercare.web.clinic.models import Access

    name, access = args.name.strip(), Access(ACCESS[args.access])
    problem = name_problem(name)
    if problem is not None:
        raise CliError(f"--name: {problem}")
    # No one signed in on the command line: the system is the actor.
    _, raw = issue(SYSTEM, clinic, name, access, clock.now())
    print(f"API key {name!r} created for clinic {clinic.slug!r} ({access.label.lower()}).")
    print("It is shown once, on the next line; it cannot be looked up later.")
    print(raw)
    return 0


def run_list(args: argparse.Namespace) -> int:
    clinic = _clinic(args.clinic)
    from aftercare.web.care.api_keys import clinic_keys

    keys = list(clinic_keys(clinic))
    if not keys:
        print(f"Clinic {clinic.slug!r} has no API keys.")
        return 0
    print("\t".join(LIST_COLUMNS))
    for key in keys:
        print("\t".join(_row(key, clinic.time_zone)))
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    clinic = _clinic(args.clinic)

    from aftercare.web import clock
    from aftercare.web.actor import SYSTEM
    from aftercare.web.care.api_keys import clinic_keys, revoke

    prefix = args.prefix.removesuffix("…")
    keys = list(clinic_keys(clinic).filter(prefix=prefix))
    live = [key for key in keys if key.revoked_at is None]
    if not keys:
        raise CliError(f"clinic {clinic.slug!r} has no API key with the prefix {prefix!r}")
    if len(live) > 1:
        raise CliError(f"{len(live)} live keys have the prefix {prefix!r}; revoke them on the web")
    if live and revoke(SYSTEM, live[0], clock.now()):
        print(f"API key {live[0]} revoked; it no longer works.")
        return 0
    print(f"API key {keys[0]} was already revoked.")
    return 0


def _clinic(slug: str) -> Clinic:
    """The clinic ``slug``, with Django set up and the database migrated."""
    setup_django(create_secret_key=True)
    from django.core.management import call_command

    from aftercare.web.clinic.models import Clinic

    call_command("migrate", verbosity=0, interactive=False)
    clinic = Clinic.objects.filter(slug=slug).first()
    if clinic is None:
        raise CliError(f"--clinic: no clinic has the slug {slug!r}")
    return clinic


def _row(key: ApiKey, zone_name: str) -> tuple[str, ...]:
    return (
        key.prefix,
        key.name,
        ACCESS_WORDS.get(key.access, key.access),
        _moment(key.created_at, zone_name),
        _moment(key.last_used_at, zone_name) or "never",
        _moment(key.revoked_at, zone_name) or "no",
    )


def _moment(at: datetime | None, zone_name: str) -> str:
    """ISO 8601 to the minute, on the clinic's clock; "" for no time."""
    from aftercare.engine.localtime import zone

    return "" if at is None else at.astimezone(zone(zone_name)).isoformat(timespec="minutes")
