"""``aftercare serve`` end to end: a real process, a real port, a real HTTP request."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from aftercare.cli import main

STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthz(port: int) -> tuple[int, dict[str, str]] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status, json.loads(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AFTERCARE_", "DJANGO_"))}
    # Always SQLite in its own data directory: never the developer's PostgreSQL database.
    env.pop("DATABASE_URL", None)
    env["AFTERCARE_DATA_DIR"] = str(data_dir)
    return env


def test_it_serves_the_demo(tmp_path: Path) -> None:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "aftercare"),
        "serve",
        "--demo",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(
        command,
        env=_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answer = None
        deadline = time.monotonic() + STARTUP_SECONDS
        while answer is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            answer = _healthz(port)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert answer == (200, {"status": "ok", "database": "ok"}), output
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
            [str(Path(sys.executable).parent / "aftercare"), "serve", "--port", str(port)],
            env=_environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=STARTUP_SECONDS,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr == (
        f"aftercare: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )
