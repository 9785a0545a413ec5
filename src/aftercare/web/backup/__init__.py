"""Back up the database while the app serves, and restore it into an empty one.

``backup`` writes one file (``archive``): a manifest with every table's row count, and
the database (a SQLite copy or a PostgreSQL custom-format dump). ``restore`` refuses a
database that already has tables unless forced, checks the result (SQLite's integrity
check, the row counts against the manifest, the migrations against this code) and
reports what it did.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from aftercare.web.backup import postgres, sqlite
from aftercare.web.backup.archive import BackupError, Manifest, read_archive, write_archive

__all__ = ["BackupError", "Restored", "backup", "restore"]


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    pending_migrations: int


def backup(out: Path, passphrase: str | None, at: datetime) -> Manifest:
    """Back up the configured database to ``out``; what it holds."""
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".aftercare-backup-") as work:
        if connection.vendor == "postgresql":
            database, engine = Path(work) / "database.pgdump", "postgresql"
            counts = postgres.dump(database)
        else:
            database, engine = Path(work) / "database.sqlite3", "sqlite"
            counts = sqlite.snapshot(_sqlite_path(), database)
        manifest = Manifest(engine, database.name, at.isoformat(), counts)
        write_archive(out, manifest, database, passphrase)
    return manifest


def restore(path: Path, passphrase: str | None, *, force: bool) -> Restored:
    """Restore ``path`` into the configured database, which must be empty unless ``force``."""
    engine = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    if not force and _has_tables(engine):
        raise BackupError("the database is not empty: restore into a new one, or add --force")
    with tempfile.TemporaryDirectory(prefix=".aftercare-restore-") as work:
        manifest, database = read_archive(path, passphrase, Path(work))
        if manifest.engine != engine:
            raise BackupError(f"{path} is a {manifest.engine} backup but the database is {engine}")
        if engine == "postgresql":
            postgres.restore(database, clean=force)
            counts = postgres.row_counts()
        else:
            counts = _restore_sqlite(database)
    _compare(manifest.counts, counts)
    return Restored(manifest, _pending_migrations())


def _restore_sqlite(database: Path) -> dict[str, int]:
    sqlite.check_integrity(database)
    target = _sqlite_path()
    connection.close()
    sqlite.copy_database(database, target)
    sqlite.check_integrity(target)
    return sqlite.row_counts(target)


def _has_tables(engine: str) -> bool:
    return postgres.has_tables() if engine == "postgresql" else sqlite.has_tables(_sqlite_path())


def _compare(expected: dict[str, int], found: dict[str, int]) -> None:
    for table, count in sorted(expected.items()):
        if found.get(table) != count:
            raise BackupError(
                f"restored {table} has {found.get(table, 0)} rows, the backup {count}"
            )


def _pending_migrations() -> int:
    """Migrations this code has that the restored database lacks; an error for the reverse."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    unknown = set(loader.applied_migrations) - set(loader.disk_migrations)
    if unknown:
        app, name = sorted(unknown)[0]
        raise BackupError(
            f"the backup was made by a newer Aftercare (migration {app}.{name}): upgrade first"
        )
    return len(set(loader.disk_migrations) - set(loader.applied_migrations))


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])
