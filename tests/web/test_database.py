from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_it_tests_on_a_real_database() -> None:
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        assert Path(name).name == "test-aftercare.sqlite3"
        assert Path(name).is_file()
    else:
        assert connection.vendor == "postgresql"
        # Django's test database beside the one DATABASE_URL names, whatever that is called.
        name = str(connection.settings_dict["NAME"])
        assert name.startswith("test_")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone() == (name,)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_it_runs_sqlite_in_wal_mode_with_immediate_transactions() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)
    assert connection.transaction_mode == "IMMEDIATE"  # type: ignore[attr-defined]
