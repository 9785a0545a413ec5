"""A PostgreSQL database of a bench's own, on the server that DATABASE_URL names.

Its name is DATABASE_URL's database name, the bench's name and a random suffix
(``aftercare_dispatch_3f9a1c``). ``CREATE DATABASE`` fails when a name is taken, so the
bench never writes into a database that someone else made, and it drops only the one it
created, when it finishes or fails.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

__all__ = ["epilog", "scratch_database"]


def epilog(bench: str) -> str:
    """What ``--help`` says the bench makes."""
    return (
        f"With DATABASE_URL=postgres://…/NAME, the PostgreSQL part runs in a new database "
        f"NAME_{bench}_XXXXXX that the bench creates on that server and drops when it ends; "
        "it never drops or writes into a database it did not create. Without DATABASE_URL, "
        "SQLite only, in a temporary directory."
    )


def with_database(server_url: str, name: str) -> str:
    """``server_url`` pointing at database ``name`` instead."""
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


@contextmanager
def scratch_database(server_url: str, bench: str) -> Iterator[str]:
    """Create a fresh database for ``bench`` and yield its URL; drop it afterwards."""
    import psycopg

    named = urlsplit(server_url).path.lstrip("/") or "postgres"
    name = f"{named}_{bench}_{secrets.token_hex(3)}"
    # Connect to the server's maintenance database: one cannot drop the database one is in.
    admin = with_database(server_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server_url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
