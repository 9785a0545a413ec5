"""``aftercare backup`` and ``aftercare restore``: one file holds the whole database.

``backup -o FILE`` copies the database while the app serves (SQLite's online backup API,
or ``pg_dump`` from one snapshot). ``--encrypt`` seals the file with the passphrase in
AFTERCARE_BACKUP_PASSPHRASE; ``restore`` asks for the same variable when the file is
sealed. ``restore FILE`` refuses a database that already has tables unless ``--force``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from aftercare.cli.common import CliError
from aftercare.cli.startup import setup_django

__all__ = ["register"]

# The name of the environment variable, not a passphrase.
PASSPHRASE = "AFTERCARE_BACKUP_PASSPHRASE"  # noqa: S105


def register(subparsers: Any) -> None:
    backup = subparsers.add_parser(
        "backup",
        help="back up the database to one file, while the app runs",
        description="Write a consistent backup of the database to FILE, while the app serves.",
    )
    backup.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    backup.add_argument(
        "--encrypt", action="store_true", help=f"seal the file with the passphrase in {PASSPHRASE}"
    )
    backup.set_defaults(handler=run_backup)

    restore = subparsers.add_parser(
        "restore",
        help="restore a backup into an empty database",
        description="Restore FILE into the configured database, which must be empty.",
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already has data"
    )
    restore.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    out: Path = args.output.expanduser().absolute()
    if out.exists():
        raise CliError(f"{out} already exists: choose a new file name")
    if not out.parent.is_dir():
        raise CliError(f"{out.parent} is not a directory")
    passphrase = _passphrase(required=True) if args.encrypt else None
    setup_django(create_secret_key=False)
    from datetime import UTC, datetime

    from aftercare.web.backup import BackupError, backup

    try:
        # The edge reads the clock: the manifest says when the copy was taken.
        manifest = backup(out, passphrase, datetime.now(UTC))
    except BackupError as error:
        raise CliError(str(error)) from None
    sealed = ", encrypted" if passphrase else ""
    print(f"backup written: {out} ({manifest.engine}, {manifest.summary()}{sealed})")
    _print_counts(manifest.counts)
    return 0


def run_restore(args: argparse.Namespace) -> int:
    path: Path = args.file.expanduser().absolute()
    if not path.is_file():
        raise CliError(f"{path} is not a file")
    setup_django(create_secret_key=True)
    from aftercare.web.backup import BackupError, restore

    try:
        restored = restore(path, _passphrase(required=False), force=args.force)
    except BackupError as error:
        raise CliError(str(error)) from None
    manifest = restored.manifest
    print(f"restored: {path} ({manifest.engine}, {manifest.summary()}, row counts match)")
    _print_counts(manifest.counts)
    if restored.pending_migrations:
        print(
            f"{restored.pending_migrations} migrations to apply: `aftercare serve` applies"
            " them, or run `aftercare manage migrate`"
        )
    else:
        print("migrations: up to date")
    return 0


def _passphrase(*, required: bool) -> str | None:
    from aftercare.web.backup.archive import MIN_PASSPHRASE

    value = os.environ.get(PASSPHRASE) or None
    if required and value is None:
        raise CliError(f"--encrypt needs the passphrase in {PASSPHRASE}")
    if required and value is not None and len(value) < MIN_PASSPHRASE:
        raise CliError(f"{PASSPHRASE} must be at least {MIN_PASSPHRASE} characters")
    return value


def _print_counts(counts: dict[str, int]) -> None:
    for table, count in sorted(counts.items()):
        print(f"  {table}\t{count}")
