"""Serve the web app from one process per core, all accepting on one listening socket.

One Python process runs one request's Python code at a time, whatever its threads, so a
server of one process uses one core. ``aftercare serve`` binds the socket, serves from its
own process (which also runs the one embedded reminder worker) and starts a web process
for each other core: a new interpreter (never a fork of a process that has threads
running), handed the socket, running the same WSGI app under the same waitress settings.
A web process that dies is started again; each one stops when ``serve`` stops, or when
``serve`` itself is gone.

Run directly, this module is such a web process:
``python -m aftercare.cli.web_processes --fd N --app module:attribute``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

__all__ = [
    "THREADS",
    "WebProcesses",
    "bind",
    "process_count",
    "proxy_options",
    "serve_socket",
    "server_options",
]

# Threads of each web process: requests waiting on the database overlap.
THREADS = 8
RESTART_PAUSE_SECONDS = 1.0
STOP_SECONDS = 10.0
APP = "aftercare.web.config.wsgi:application"


def process_count() -> int:
    """One web process per core this process may run on."""
    return max(1, len(os.sched_getaffinity(0)))


def server_options() -> dict[str, Any]:
    """The waitress settings every web process runs with."""
    return {"threads": THREADS, **proxy_options()}


def proxy_options() -> dict[str, Any]:
    """What waitress must trust behind AFTERCARE_PROXY_COUNT reverse proxies.

    Without these waitress drops X-Forwarded-For and X-Forwarded-Proto: every client would
    look like the proxy (one shared sign-in and new-link limit for everyone), and with
    AFTERCARE_HTTPS=true every page would redirect to https for ever. With them, waitress
    takes the client's address and the scheme from the last ``count`` hops, and clears any
    other forwarding header a client sent. The server must then be reachable only through
    the proxies (listen on loopback or a private network), as any peer is trusted.
    """
    from django.conf import settings

    count: int = settings.PROXY_COUNT
    if count <= 0:
        return {}
    return {
        "trusted_proxy": "*",
        "trusted_proxy_count": count,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True,
    }


def bind(host: str, port: int) -> socket.socket:
    """The listening socket all web processes share; OSError if the port cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    address = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)[0][4]
    listener = socket.create_server(address, family=family, backlog=1024)
    listener.set_inheritable(True)
    return listener


def serve_socket(application: Any, listener: socket.socket) -> Any:
    """A waitress server for ``application`` on the shared socket (call ``run()``), once
    the app's URLs (and the modules they import) are loaded: a process that has just
    started takes its first request as quickly as the others."""
    from django.urls import get_resolver
    from waitress.server import create_server

    get_resolver().reverse_dict  # noqa: B018 (loads every URL module)
    return create_server(application, sockets=[listener], **server_options())


class WebProcesses:
    """The other cores' web processes: started, kept running, and stopped."""

    def __init__(self, listener: socket.socket, count: int, app: str = APP) -> None:
        self.command = [
            *(sys.executable, "-m", "aftercare.cli.web_processes"),
            *("--fd", str(listener.fileno()), "--app", app, "--parent", str(os.getpid())),
        ]
        self.fd = listener.fileno()
        self.count = count
        self.processes: list[subprocess.Popen[bytes]] = []
        self.stopping = threading.Event()
        self.keeper = threading.Thread(target=self._keep, name="aftercare-web", daemon=True)

    def start(self) -> None:
        self.processes = [self._spawn() for _ in range(self.count)]
        self.keeper.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.keeper.is_alive():
            self.keeper.join()
        for process in self.processes:
            process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _spawn(self) -> subprocess.Popen[bytes]:
        # Our own interpreter and module; the arguments are numbers this process chose.
        return subprocess.Popen(self.command, pass_fds=(self.fd,))  # noqa: S603

    def _keep(self) -> None:
        """Start again any web process that stopped while serve goes on."""
        while not self.stopping.wait(RESTART_PAUSE_SECONDS):
            for index, process in enumerate(self.processes):
                if process.poll() is not None:
                    print(
                        f"A web process stopped (exit {process.returncode}); starting another",
                        file=sys.stderr,
                        flush=True,
                    )
                    self.processes[index] = self._spawn()


def _stop_with_parent(parent: int) -> None:
    """End this web process once the serve that started it is gone (even by kill -9)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One web process of `aftercare serve`.")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--app", default=APP)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    threading.Thread(target=_stop_with_parent, args=(args.parent,), daemon=True).start()
    try:
        module, _, attribute = args.app.partition(":")
        application = getattr(importlib.import_module(module), attribute)
        server = serve_socket(application, socket.socket(fileno=args.fd))
        try:
            server.run()
        finally:
            server.close()
    except KeyboardInterrupt:
        pass  # stopped, perhaps while still starting
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
