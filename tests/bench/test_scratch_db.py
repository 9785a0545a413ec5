"""The benches' own PostgreSQL databases: made fresh, dropped after, nobody else's touched."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from scratch_db import scratch_database, with_database

SERVER = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/aftercare"
if not SERVER.startswith("postgres"):
    SERVER = "postgres://postgres@127.0.0.1:5432/aftercare"


def databases() -> set[str]:
    with psycopg.connect(with_database(SERVER, "postgres")) as db:
        return {row[0] for row in db.execute("SELECT datname FROM pg_database")}


@pytest.fixture
def server() -> Iterator[None]:
    try:
        databases()
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432")
    yield


@pytest.fixture
def someone_elses(server: None) -> Iterator[str]:
    """A database the bench did not make, with the name its next scratch database would take."""
    name = "aftercare_dispatch_5ca1ab"
    with psycopg.connect(with_database(SERVER, "postgres"), autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(with_database(SERVER, "postgres"), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_it_makes_a_database_named_after_the_url_and_drops_it_after(server: None) -> None:
    with scratch_database(SERVER, "dispatch") as url:
        name = url.rsplit("/", 1)[1]
        assert name.startswith("aftercare_dispatch_")
        assert name in databases()
        with psycopg.connect(url) as db:
            assert db.execute("SELECT current_database()").fetchone() == (name,)
    assert name not in databases()


def test_it_never_takes_over_or_drops_a_database_it_did_not_make(
    someone_elses: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("scratch_db.secrets.token_hex", lambda _: "5ca1ab")
    with (
        pytest.raises(psycopg.errors.DuplicateDatabase),
        scratch_database(SERVER, "dispatch"),
    ):
        pytest.fail("the bench ran in a database it did not create")
    assert someone_elses in databases()
