"""Child processes on a real, committed database: the tests' own PostgreSQL test database
(the ``transactional_db`` flush empties it afterwards), or a fresh SQLite file when the
tests run on SQLite (whose test database lives in memory, out of a child's reach)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.web.live import aftercare_command, environment

__all__ = ["ChildDatabase", "child_database", "run_python"]

SECRET = "child-database-test-" + "x" * 40


class ChildDatabase:
    """Where children connect; ``env`` for ``subprocess``, ``url`` for PostgreSQL."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.env = environment(data_dir)
        self.env["AFTERCARE_SECRET_KEY"] = SECRET
        self.env["DJANGO_SETTINGS_MODULE"] = "aftercare.web.config.settings"
        self.is_postgresql = connection.vendor == "postgresql"
        if self.is_postgresql:
            settings = connection.settings_dict
            self.url = (
                f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
                f"/{settings['NAME']}"
            )
            self.env["DATABASE_URL"] = self.url

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "aftercare.sqlite3"

    def aftercare(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            aftercare_command(*args),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def run_python(database: ChildDatabase, script: str) -> str:
    """Run ``script`` in a child with Django set up on ``database``; its standard output."""
    code = f"import django\ndjango.setup()\n{script}"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=database.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def child_database(tmp_path: Path, transactional_db: None) -> ChildDatabase:
    database = ChildDatabase(tmp_path / "data")
    if not database.is_postgresql:
        done = database.aftercare("manage", "migrate", "--verbosity", "0")
        assert done.returncode == 0, done.stderr
    return database
