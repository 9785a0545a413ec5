"""Production settings pass Django's own deployment checks."""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

from tests.web.live import aftercare_command, environment


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = environment(tmp_path)
    env["AFTERCARE_SECRET_KEY"] = secrets.token_urlsafe(64)
    env["AFTERCARE_ALLOWED_HOSTS"] = "clinic.example.org"
    result = subprocess.run(
        aftercare_command("manage", "check", "--deploy", "--fail-level", "WARNING"),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
