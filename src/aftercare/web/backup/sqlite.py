"""SQLite: a consistent copy with SQLite's online backup API while the app serves.

The copy is taken in one step, so it is one read transaction: in WAL mode writers carry
on meanwhile, and the copy is the database as it stood at one moment.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from aftercare.web.backup.archive import BackupError

__all__ = ["copy_database", "has_tables", "row_counts", "snapshot"]


def snapshot(source: Path, copy: Path) -> dict[str, int]:
    """Copy the live database ``source`` to ``copy``; its tables' row counts."""
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    copy_database(source, copy)
    check_integrity(copy)
    return row_counts(copy)


def copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def check_integrity(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"the database at {path} fails SQLite's integrity check: {result}")


def row_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as db:
        tables = [name for (name,) in db.execute(_TABLES)]
        # Names from sqlite_master, quoted: nothing here comes from a person.
        query = 'SELECT count(*) FROM "{}"'
        return {name: db.execute(query.format(name)).fetchone()[0] for name in tables}


def has_tables(path: Path) -> bool:
    if not path.exists():
        return False
    with closing(sqlite3.connect(path)) as db:
        return db.execute(_TABLES).fetchone() is not None


_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
)
