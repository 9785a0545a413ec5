"""The settings mypy's Django plugin loads: the real ones, without needing a deployment.

The real settings refuse to load without a secret key outside development; a type check
needs only the installed apps and models, so it gets a throwaway development setup.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

os.environ.setdefault(
    "AFTERCARE_DATA_DIR", str(Path(tempfile.gettempdir()) / "aftercare-typecheck")
)
os.environ.setdefault("AFTERCARE_DEBUG", "true")
os.environ.setdefault("AFTERCARE_SECRET_KEY", "type-checking-only")

_settings = importlib.import_module("aftercare.web.config.settings")
globals().update({name: value for name, value in vars(_settings).items() if name.isupper()})
