"""Starting with a data directory that cannot be written, or a database that cannot be
reached: one line on standard error and exit status 2, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.web.live import aftercare_command, environment, free_port
from tests.web.mounts import fill, small_tmpfs

KEY = "startup-test-" + "x" * 50
MINI = Path(__file__).parents[1] / "engine" / "fixtures" / "mini.yaml"
CLINIC = (
    *("add-clinic", "--slug", "alpha", "--name", "Alpha", "--admin", "alpha-admin"),
    *("--phone", "020 7946 0000", "--urgent-phone", "020 7946 0001"),
)
ENABLE_MINI = (
    "from aftercare.web.clinic.models import Clinic, ClinicProcedure; "
    "ClinicProcedure.objects.create(clinic=Clinic.objects.get(slug='alpha'), protocol_id='mini')"
)


def start(env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        aftercare_command(*command), env=env, capture_output=True, text=True, timeout=60
    )


def one_line(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1, run.stderr
    assert "Traceback" not in run.stderr
    return run.stderr


def test_a_read_only_data_directory(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "ro", read_only=True) as data:
        run = start(environment(data / "aftercare"), "serve", "--port", str(free_port()))
    assert one_line(run) == (
        "aftercare: error: cannot write to the data directory: Read-only file system"
        f" ({data / 'aftercare'})\n"
    )


@pytest.mark.parametrize("with_key", [False, True])
def test_a_full_data_directory(tmp_path: Path, with_key: bool) -> None:
    with small_tmpfs(tmp_path / "full", size_kib=256) as data:
        env = environment(data)
        if with_key:
            env["AFTERCARE_SECRET_KEY"] = KEY
        fill(data)
        run = start(env, "serve", "--port", str(free_port()))
    expected = (
        "aftercare: error: cannot use the database: database or disk is full\n"
        if with_key
        else "aftercare: error: cannot write to the data directory: No space left on device\n"
    )
    assert one_line(run) == expected


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["worker"], ["worker", "--once"]])
def test_an_unreachable_database(tmp_path: Path, command: list[str]) -> None:
    env = environment(tmp_path)
    env["AFTERCARE_SECRET_KEY"] = KEY
    env["DATABASE_URL"] = f"postgres://aftercare:secret-password@127.0.0.1:{free_port()}/aftercare"
    if command[0] == "serve":
        command = ["serve", "--port", str(free_port())]
    stderr = one_line(start(env, *command))
    assert stderr.startswith("aftercare: error: cannot use the database: connection failed: ")
    assert "Connection refused" in stderr
    assert "secret-password" not in stderr


def test_a_procedure_whose_protocol_file_was_taken_away(tmp_path: Path) -> None:
    protocols = tmp_path / "protocols"
    protocols.mkdir()
    shutil.copy(MINI, protocols / "mini.yaml")
    env = environment(tmp_path / "data") | {
        "AFTERCARE_SECRET_KEY": KEY,
        "AFTERCARE_PROTOCOLS_DIR": str(protocols),
    }
    made = start(env, *CLINIC)
    assert made.returncode == 0, made.stderr
    enabled = start(env, "manage", "shell", "-c", ENABLE_MINI)
    assert enabled.returncode == 0, enabled.stderr
    assert start(env, "worker", "--once").returncode == 0

    del env["AFTERCARE_PROTOCOLS_DIR"]
    for command in (["worker", "--once"], ["serve", "--port", str(free_port())]):
        assert one_line(start(env, *command)) == (
            "aftercare: error: the procedure 'mini' of alpha has no protocol installed"
            " (there are: chemical-peel, microneedling); put its file back in"
            " AFTERCARE_PROTOCOLS_DIR\n"
        )
