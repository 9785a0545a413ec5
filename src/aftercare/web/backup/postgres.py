"""PostgreSQL: ``pg_dump`` in custom format, from a snapshot this process holds open, so
the row counts in the manifest are those of the dump; ``pg_restore`` to restore.

The password reaches the client tools in the environment (PGPASSWORD), never on a command
line that ``ps`` shows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from aftercare.web.backup.archive import BackupError

__all__ = ["dump", "has_tables", "restore", "row_counts"]

TIMEOUT_SECONDS = 6 * 60 * 60


def dump(target: Path) -> dict[str, int]:
    """Write a custom-format dump to ``target``; the row counts it holds."""
    pg_dump = _tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        # First statement of the transaction: the snapshot pg_dump is then given.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = row_counts()
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
    return counts


def restore(dump_file: Path, *, clean: bool) -> None:
    pg_restore = _tool("pg_restore")
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error"]
    command += ["--single-transaction", f"--dbname={connection.settings_dict['NAME']}"]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, str(dump_file)])


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in tables:
            # Names from the catalogue, quoted: nothing here comes from a person.
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = int(cursor.fetchone()[0])
    return counts


def has_tables() -> bool:
    with connection.cursor() as cursor:
        return bool(connection.introspection.table_names(cursor))


def _tool(name: str) -> str:
    """The client tool ``name``, checked against the server's major version."""
    path = shutil.which(name)
    server = _server_major()
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL {server} client tools"
            f" (Debian: apt install postgresql-client-{server})"
        )
    client = _client_major(path)
    if client < server:
        raise BackupError(
            f"{name} is version {client} but the server is PostgreSQL {server}: install"
            f" postgresql-client-{server} (a client older than the server cannot be used)"
        )
    return path


def _server_major() -> int:
    connection.ensure_connection()
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def _client_major(path: str) -> int:
    # The tool found on PATH, with fixed arguments: no shell, no input from a request.
    done = subprocess.run(  # noqa: S603
        [path, "--version"], capture_output=True, text=True, check=False
    )
    found = re.search(r"\)\s*(\d+)", done.stdout)
    if found is None:
        raise BackupError(f"cannot tell {path}'s version from: {done.stdout.strip()!r}")
    return int(found.group(1))


def _run(command: list[str]) -> None:
    done = subprocess.run(  # noqa: S603 (the tool found on PATH; arguments built here)
        command,
        env=_environment(connection.settings_dict),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {lines[0] if lines else done.returncode}")


def _environment(settings: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    wanted = {
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGDATABASE": settings.get("NAME"),
    }
    env.update({name: str(value) for name, value in wanted.items() if value})
    return env
