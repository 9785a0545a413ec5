"""Read settings from the environment through tiny helpers that fail loudly.

Each helper takes the environment as a mapping so tests can pass their own. A bad value
raises ImproperlyConfigured naming the variable and what it accepts; nothing is guessed.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "KEY_FILE_NAME",
    "database",
    "default_data_dir",
    "ensure_secret_key_file",
    "env_bool",
    "env_choice",
    "env_int",
    "env_line",
    "env_list",
    "env_path",
    "env_str",
    "secret_key",
]

KEY_FILE_NAME = "secret_key"
MIN_SECRET_KEY_LENGTH = 50
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
SQLITE_OPTIONS: dict[str, Any] = {
    # Writers take the lock when the transaction starts, so two requests never deadlock
    # upgrading a read lock; readers wait up to 20 s instead of failing at once.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def env_str(name: str, default: str, environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(name, default)


def env_line(name: str, default: str, environ: Mapping[str, str] = os.environ) -> str:
    """A value that becomes a message header (the sender): one line, no control characters."""
    value = environ.get(name, default)
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise ImproperlyConfigured(f"{name} must be one line without control characters")
    return value


def env_bool(name: str, default: bool, environ: Mapping[str, str] = os.environ) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not '{raw}'")


def env_int(name: str, default: int, environ: Mapping[str, str] = os.environ) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not '{raw}'") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be 0 or more, not '{raw}'")
    return value


def env_list(name: str, default: list[str], environ: Mapping[str, str] = os.environ) -> list[str]:
    """A comma-separated list; empty items are an error (a stray comma hides a typo)."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name} has an empty item: '{raw}'")
    return items


def env_choice(
    name: str, choices: Mapping[str, str], default: str, environ: Mapping[str, str] = os.environ
) -> str:
    """The value ``choices`` gives for the environment's word (case-insensitive)."""
    word = environ.get(name, default).strip().lower() or default
    if word not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {word!r}")
    return choices[word]


def env_path(name: str, default: Path, environ: Mapping[str, str] = os.environ) -> Path:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    path = Path(raw.strip()).expanduser()
    if not path.is_absolute():
        raise ImproperlyConfigured(f"{name} must be an absolute path, not '{raw}'")
    return path


def env_directory(name: str, environ: Mapping[str, str] = os.environ) -> Path | None:
    """An existing directory's absolute path, or None when ``name`` is not set."""
    raw = environ.get(name, "")
    if not raw.strip():
        return None
    path = env_path(name, Path(), environ)
    if not path.is_dir():
        raise ImproperlyConfigured(f"{name} names no directory: '{raw}'")
    return path


def default_data_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_DATA_HOME/aftercare``, else ``~/.local/share/aftercare`` (the XDG default)."""
    xdg = environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "aftercare"


def database(url: str, data_dir: Path) -> dict[str, Any]:
    """Django's database settings: SQLite in ``data_dir`` unless ``url`` names another."""
    if not url.strip():
        return _sqlite(data_dir / "aftercare.sqlite3", data_dir)
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url.strip()))
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        return _sqlite(Path(config["NAME"]), data_dir)
    if engine == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ImproperlyConfigured("DATABASE_URL must name a database: postgres://…/NAME")
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
        return config
    raise ImproperlyConfigured("DATABASE_URL must start with postgres:// or sqlite://")


def _sqlite(path: Path, data_dir: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": dict(SQLITE_OPTIONS),
        # A request thread keeps its connection: opening one registers Django's functions
        # and runs the pragmas above, a millisecond of every request otherwise.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # Tests run on a real file (WAL and locking behave as in production), not :memory:.
        "TEST": {"NAME": data_dir / "test-aftercare.sqlite3"},
    }


def secret_key(data_dir: Path, debug: bool, environ: Mapping[str, str] = os.environ) -> str:
    """AFTERCARE_SECRET_KEY, else the key file in ``data_dir`` (created only in development)."""
    key = environ.get("AFTERCARE_SECRET_KEY", "").strip()
    path = data_dir / KEY_FILE_NAME
    if not key and debug:
        key = ensure_secret_key_file(data_dir)
    elif not key and path.exists():
        key = path.read_text(encoding="utf-8").strip()
    elif not key:
        raise ImproperlyConfigured(
            f"AFTERCARE_SECRET_KEY is not set and {path} does not exist; "
            "set it to 50 or more random characters"
        )
    if not debug and (len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5):
        raise ImproperlyConfigured(
            f"the secret key must be at least {MIN_SECRET_KEY_LENGTH} random characters"
        )
    return key


def ensure_secret_key_file(data_dir: Path) -> str:
    """The key kept in ``data_dir``, created readable by its owner only on first use."""
    path = data_dir / KEY_FILE_NAME
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # O_EXCL: two processes starting at once must not write two different keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(secrets.token_urlsafe(64) + "\n")
    return path.read_text(encoding="utf-8").strip()
