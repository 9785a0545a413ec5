"""``aftercare serve`` end to end: a real process, a real port, a real HTTP request."""

from __future__ import annotations

import json
import socket
import stat
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from aftercare.cli import main
from tests.web.live import aftercare_command, environment, served


def _healthz(port: int) -> tuple[int, dict[str, object]] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status, json.loads(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_it_serves_the_demo(tmp_path: Path) -> None:
    with served(tmp_path, "--demo") as server:
        answer = _healthz(server.port)
    output, port = server.output, server.port
    assert answer is not None, output
    status, health = answer
    assert (status, health["status"], health["database"], health["data_dir"]) == (
        200,
        "ok",
        "ok",
        "ok",
    )
    assert health["reminders"] == "ok"
    assert "username: demo-practitioner" in output
    assert "password: " in output
    assert f"Serving on http://127.0.0.1:{port}/" in output
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert (tmp_path / "aftercare.sqlite3").exists()


def test_it_refuses_a_bad_port() -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "70000"])
    assert exit_.value.code == 2


def test_it_says_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            aftercare_command("serve", "--port", str(port)),
            env=environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr == (
        f"aftercare: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )
