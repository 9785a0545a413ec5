from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from aftercare.web.config.env import (
    database,
    default_data_dir,
    ensure_secret_key_file,
    env_bool,
    env_int,
    env_list,
    env_path,
    secret_key,
)

STRONG_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, False),
        ("", False),
        ("true", True),
        ("TRUE", True),
        (" yes ", True),
        ("1", True),
        ("on", True),
        ("false", False),
        ("no", False),
        ("0", False),
        ("off", False),
    ],
)
def test_it_reads_booleans(raw: str | None, expected: bool) -> None:
    environ = {} if raw is None else {"AFTERCARE_DEBUG": raw}
    assert env_bool("AFTERCARE_DEBUG", False, environ) is expected


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: env_bool("AFTERCARE_DEBUG", False, {"AFTERCARE_DEBUG": "maybe"}),
            "AFTERCARE_DEBUG must be true or false, not 'maybe'",
        ),
        (
            lambda: env_int("AFTERCARE_HSTS_SECONDS", 1, {"AFTERCARE_HSTS_SECONDS": "1y"}),
            "AFTERCARE_HSTS_SECONDS must be a whole number, not '1y'",
        ),
        (
            lambda: env_int("AFTERCARE_HSTS_SECONDS", 1, {"AFTERCARE_HSTS_SECONDS": "-5"}),
            "AFTERCARE_HSTS_SECONDS must be 0 or more, not '-5'",
        ),
        (
            lambda: env_list("AFTERCARE_ALLOWED_HOSTS", [], {"AFTERCARE_ALLOWED_HOSTS": "a,,b"}),
            "AFTERCARE_ALLOWED_HOSTS has an empty item: 'a,,b'",
        ),
        (
            lambda: env_path("AFTERCARE_DATA_DIR", Path("/x"), {"AFTERCARE_DATA_DIR": "data"}),
            "AFTERCARE_DATA_DIR must be an absolute path, not 'data'",
        ),
        (
            lambda: database("mysql://root@localhost/aftercare", Path("/x")),
            "DATABASE_URL must start with postgres:// or sqlite://",
        ),
        (
            lambda: database("postgres://postgres@127.0.0.1:5432", Path("/x")),
            "DATABASE_URL must name a database: postgres://…/NAME",
        ),
    ],
)
def test_it_fails_loudly_on_bad_values(call: object, message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        call()  # type: ignore[operator]
    assert str(error.value) == message


def test_it_reads_lists() -> None:
    environ = {"AFTERCARE_ALLOWED_HOSTS": "clinic.example.org, www.example.org"}
    hosts = env_list("AFTERCARE_ALLOWED_HOSTS", ["localhost"], environ)
    assert hosts == ["clinic.example.org", "www.example.org"]
    assert env_list("AFTERCARE_ALLOWED_HOSTS", ["localhost"], {}) == ["localhost"]


def test_it_defaults_the_data_dir_to_xdg(tmp_path: Path) -> None:
    assert default_data_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "aftercare"
    assert default_data_dir({}) == Path.home() / ".local" / "share" / "aftercare"


def test_it_uses_sqlite_in_the_data_dir_by_default(tmp_path: Path) -> None:
    config = database("", tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == tmp_path / "aftercare.sqlite3"
    assert config["TEST"] == {"NAME": tmp_path / "test-aftercare.sqlite3"}
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)
    assert config["OPTIONS"] == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }


def test_it_uses_postgresql_when_asked(tmp_path: Path) -> None:
    config = database("postgres://postgres@127.0.0.1:5432/aftercare", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "aftercare"
    assert config["HOST"] == "127.0.0.1"
    assert config["PORT"] == 5432
    assert config["CONN_HEALTH_CHECKS"] is True


def test_it_requires_a_secret_key_in_production(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        secret_key(tmp_path, debug=False, environ={})
    assert str(error.value) == (
        f"AFTERCARE_SECRET_KEY is not set and {tmp_path / 'secret_key'} does not exist; "
        "set it to 50 or more random characters"
    )


def test_it_refuses_a_weak_secret_key_in_production(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="at least 50 random characters"):
        secret_key(tmp_path, debug=False, environ={"AFTERCARE_SECRET_KEY": "hunter2"})


def test_it_takes_the_secret_key_from_the_environment(tmp_path: Path) -> None:
    assert secret_key(tmp_path, debug=False, environ={"AFTERCARE_SECRET_KEY": STRONG_KEY}) == (
        STRONG_KEY
    )
    assert not (tmp_path / "secret_key").exists()


def test_it_creates_a_private_secret_key_once_in_development(tmp_path: Path) -> None:
    first = secret_key(tmp_path, debug=True, environ={})
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 50
    assert secret_key(tmp_path, debug=True, environ={}) == first
    # Production reads the file a development run (or `aftercare serve`) created.
    assert secret_key(tmp_path, debug=False, environ={}) == first


def test_it_keeps_an_existing_key_file(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text(STRONG_KEY + "\n", encoding="utf-8")
    assert ensure_secret_key_file(tmp_path) == STRONG_KEY
