"""Run ``aftercare serve`` as a real process for end-to-end tests."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AFTERCARE_", "DJANGO_"))}
    # Always SQLite in its own data directory: never the developer's PostgreSQL database.
    env.pop("DATABASE_URL", None)
    env["AFTERCARE_DATA_DIR"] = str(data_dir)
    return env


def aftercare_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "aftercare"), *args]


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)
    pending: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def wait_for(self, text: str, seconds: float = STARTUP_SECONDS) -> bool:
        """Read the server's output until ``text`` appears; False if it never does."""
        deadline = time.monotonic() + seconds
        while text not in self.output:
            try:
                line = self.pending.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                return False
            if line is None:
                return False
            self.lines.append(line)
        return True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def value(self, label: str) -> str:
        """The value printed after ``label:`` (the demo login)."""
        for line in self.lines:
            if line.strip().startswith(f"{label}:"):
                return line.split(":", 1)[1].strip()
        raise AssertionError(f"no {label!r} in the output:\n{self.output}")


@contextmanager
def served(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``aftercare serve ARGS`` on a free port, until it says it is serving; ``env`` adds
    to the environment."""
    port = free_port()
    process = subprocess.Popen(
        aftercare_command("serve", "--port", str(port), *args),
        env=environment(data_dir) | (env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process, port)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.pending.put(line)
        server.pending.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        if not server.wait_for("Serving on"):
            raise AssertionError(f"the server did not start:\n{server.output}")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        while not server.pending.empty():
            line = server.pending.get()
            if line is not None:
                server.lines.append(line)
