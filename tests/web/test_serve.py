"""``aftercare serve`` end to end: a real process, a real port, a real HTTP request."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import time
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


def _status(port: int) -> tuple[int, object] | None:
    answer = _healthz(port)
    return None if answer is None else (answer[0], answer[1]["database"])


def _children(pid: int) -> list[int]:
    """``pid``'s child processes, whichever of its threads started them."""
    tasks = Path(f"/proc/{pid}/task").glob("*/children")
    return sorted(int(child) for task in tasks for child in task.read_text().split())


def _command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _wait_for_children(
    pid: int, count: int, gone: int | None = None, seconds: float = 120
) -> list[int]:
    """The web processes ``pid`` started, once there are ``count`` of them without ``gone``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        children = [c for c in _children(pid) if "aftercare.cli.web_processes" in _command_line(c)]
        if len(children) == count and gone not in children:
            return children
        time.sleep(0.2)
    raise AssertionError(f"not {count} web processes: {_children(pid)}")


# serve restarts web processes from a thread that waits on a timed Event: libfaketime
# moves the machine's clock but not that wait, so this runs on the real clock only.
@pytest.mark.machine_clock
def test_it_serves_from_several_processes_with_one_reminder_worker(tmp_path: Path) -> None:
    with served(tmp_path, "--processes", "3") as server:
        first = _wait_for_children(server.process.pid, 2)
        answers = [_status(server.port) for _ in range(20)]
        os.kill(first[0], signal.SIGKILL)
        again = _wait_for_children(server.process.pid, 2, gone=first[0])
        answer_after = _status(server.port)
    assert answers == [(200, "ok")] * 20
    assert first[1] in again
    assert answer_after == (200, "ok")
    assert server.output.count("Sending reminders from this process") == 1
    for pid in again:
        assert not Path(f"/proc/{pid}").exists() or "(Z)" in Path(f"/proc/{pid}/stat").read_text()


def test_it_refuses_a_bad_number_of_processes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--processes", "0"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        "aftercare serve: error: argument --processes: '0' must be a whole number from 1 to 64\n"
    )
