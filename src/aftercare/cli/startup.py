"""Starting Django for a command: its settings, the secret key, and the errors a start
can meet, each told in one line with exit status 2."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from aftercare.cli.common import CliError

__all__ = ["SETTINGS_MODULE", "check_protocols_installed", "setup_django", "startup_errors"]

SETTINGS_MODULE = "aftercare.web.config.settings"


def setup_django(create_secret_key: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django
    from django.core.exceptions import ImproperlyConfigured

    from aftercare.web.config.env import default_data_dir, ensure_secret_key_file, env_path

    try:
        if create_secret_key and not os.environ.get("AFTERCARE_SECRET_KEY"):
            # The machine's own server keeps its key beside its database.
            ensure_secret_key_file(env_path("AFTERCARE_DATA_DIR", default_data_dir()))
        django.setup()
    except ImproperlyConfigured as error:
        raise CliError(str(error)) from None
    except OSError as error:
        raise CliError(_data_dir_problem(error)) from None


@contextmanager
def startup_errors() -> Iterator[None]:
    """A database that cannot be reached, or a data directory that cannot be written,
    while starting: one line and exit status 2, never a traceback."""
    from django.db import DatabaseError

    try:
        yield
    except DatabaseError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CliError(f"cannot use the database: {first}") from None
    except OSError as error:
        raise CliError(_data_dir_problem(error)) from None


def check_protocols_installed() -> None:
    """Refuse to start while a clinic has a procedure whose protocol file is not installed
    (taken out of ``AFTERCARE_PROTOCOLS_DIR``, or that directory not set): its patients'
    plans would fail page by page instead."""
    from aftercare.protocols.registry import EXTRA_DIRECTORY_SETTING, installed_protocols
    from aftercare.web.protocol import uninstalled_procedures

    missing = uninstalled_procedures()
    if missing:
        procedure, slugs = next(iter(missing.items()))
        there = ", ".join(installed_protocols().ids)
        raise CliError(
            f"the procedure '{procedure}' of {', '.join(slugs)} has no protocol installed"
            f" (there are: {there}); put its file back in {EXTRA_DIRECTORY_SETTING}"
        )


def _data_dir_problem(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    return f"cannot write to the data directory: {error.strerror or error}{where}"
