"""The settings mypy's Django plugin loads: the real ones, without needing a deployment.

The real settings refuse to load without a secret key outside development; a type check
needs only the installed apps and models, so it gets a throwaway development setup.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault(
    "AFTERCARE_DATA_DIR", str(Path(tempfile.gettempdir()) / "aftercare-typecheck")
)
os.environ.setdefault("AFTERCARE_DEBUG", "true")
os.environ.setdefault("AFTERCARE_SECRET_KEY", "type-checking-only")

# A star import, not a loop over the module: mypy sees each setting, the project's own too.
from aftercare.web.config.settings import *  # noqa: F403
