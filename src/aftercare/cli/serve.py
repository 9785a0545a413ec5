"""``aftercare serve``: migrate, optionally build the demo clinic, and serve the web app.

waitress is the server: a production-grade, pure-Python WSGI server, so the same command
runs a laptop demo and a real deployment behind a TLS proxy. It serves from one process per
core (see ``web_processes``); the reminder worker runs once, in the first. ``aftercare manage`` runs
any Django management command with the same settings.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from aftercare import clock
from aftercare.cli.common import CliError
from aftercare.cli.startup import check_protocols_installed, setup_django, startup_errors

__all__ = ["register"]

DEFAULT_PORT = 8000
MAX_PROCESSES = 64
# The worker beside the web server checks for due reminders this often.
WORKER_POLL_SECONDS = 15.0
WORKER_STOP_SECONDS = 30.0


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the web app (waitress)",
        description="Apply migrations, then serve the web app with waitress.",
    )
    serve.add_argument(
        "--demo", action="store_true", help="create the demo clinic and print a login"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help="port (default 8000)")
    serve.add_argument(
        "--processes",
        type=_process_count,
        default=None,
        help="web processes (default: one per core)",
    )
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not send reminders from this process (run `aftercare worker` instead)",
    )
    serve.set_defaults(handler=run_serve)

    add_clinic = subparsers.add_parser(
        "add-clinic",
        help="create a clinic and its first administrator",
        description="Create a clinic and a clinic administrator; prints a one-time password.",
    )
    add_clinic.add_argument("--slug", required=True, help="short name used in addresses")
    add_clinic.add_argument("--name", required=True, help="the clinic's name, as patients see it")
    add_clinic.add_argument("--phone", required=True, help="the clinic's phone number")
    add_clinic.add_argument(
        "--urgent-phone", required=True, help="the number for urgent problems after treatment"
    )
    add_clinic.add_argument("--email", default="", help="the clinic's email address")
    add_clinic.add_argument("--time-zone", default="Europe/London", help="IANA zone name")
    add_clinic.add_argument("--admin", required=True, help="username of the clinic administrator")
    add_clinic.set_defaults(handler=run_add_clinic)

    manage = subparsers.add_parser(
        "manage",
        help="run a Django management command",
        description="Run a Django management command (migrate, check --deploy, …).",
        add_help=False,
        # No options of its own: everything after `manage`, --help included, goes to Django.
        prefix_chars="+",
    )
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=run_manage)


def run_serve(args: argparse.Namespace) -> int:
    if _is_loopback(args.host):
        # Plain HTTP on this machine only; behind a TLS proxy set AFTERCARE_HTTPS=true.
        os.environ.setdefault("AFTERCARE_HTTPS", "false")
        # Patients' links point at this server unless the deployment names its address.
        shown = f"[{args.host}]" if ":" in args.host else args.host
        os.environ.setdefault("AFTERCARE_BASE_URL", f"http://{shown}:{args.port}")
    setup_django(create_secret_key=True)
    from django.core.management import call_command

    with startup_errors():
        call_command("migrate", verbosity=0, interactive=False)
        check_protocols_installed()
    if args.demo:
        _print_demo_login()
    return _serve(args.host, args.port, args.processes, with_worker=not args.no_worker)


def run_add_clinic(args: argparse.Namespace) -> int:
    setup_django(create_secret_key=True)
    from django.core.exceptions import ValidationError
    from django.core.management import call_command

    from aftercare.web.clinics import create_clinic

    call_command("migrate", verbosity=0, interactive=False)
    try:
        created = create_clinic(
            slug=args.slug,
            name=args.name,
            phone=args.phone,
            urgent_phone=args.urgent_phone,
            email=args.email,
            time_zone=args.time_zone,
            admin_username=args.admin,
        )
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise CliError(f"{field.replace('_', '-')}: {messages[0]}") from None
    print(f"Clinic {created.clinic.slug!r} created. Its administrator signs in with:")
    print(f"  username: {created.username}")
    print(f"  password: {created.password}  (shown once)")
    print("At the first sign-in they set up two-factor sign-in with an authenticator app;")
    print("then they choose their own password under Account > Change your password.")
    return 0


def run_manage(args: argparse.Namespace) -> int:
    setup_django(create_secret_key=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["aftercare manage", *args.arguments])
    return 0


def _print_demo_login() -> None:
    from aftercare.web.demo import build_demo

    # The edge reads the clock; everything below is given the moment.
    login = build_demo(clock.now())
    print("Demo clinic ready. Sign in as its practitioner with:", flush=True)
    print(f"  username: {login.username}", flush=True)
    print(f"  password: {login.password}", flush=True)
    print("or as its clinic administrator, with two-factor sign-in:", flush=True)
    print(f"  admin username: {login.admin_username}", flush=True)
    print(f"  admin password: {login.admin_password}", flush=True)
    print(f"  authenticator key: {login.admin_key}  (add it to an authenticator app)", flush=True)
    print(
        f"  recovery code: {login.admin_recovery_code}  (works once, instead of the app)",
        flush=True,
    )


def _serve(host: str, port: int, processes: int | None, *, with_worker: bool) -> int:
    from aftercare.cli.web_processes import WebProcesses, bind, process_count, serve_socket
    from aftercare.web.config.wsgi import application

    try:
        listener = bind(host, port)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise CliError(f"cannot listen on {host}:{port}: {reason}") from None
    server = serve_socket(application, listener)
    # This process serves too, so the other cores get one web process each.
    others = WebProcesses(listener, (processes or process_count()) - 1)
    stop_worker = None
    # SIGTERM stops the server as Ctrl-C does, so the worker can finish its message.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        others.start()
        stop_worker = _start_worker() if with_worker else None
        shown = f"[{host}]" if ":" in host else host
        print(f"Serving on http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        others.stop()
        if stop_worker is not None:
            stop_worker()
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _start_worker() -> Callable[[], None]:
    """Run one reminder worker in a thread; returns the function that stops it."""
    from aftercare.cli.worker import start_worker
    from aftercare.web.reminders.worker import supervise

    worker = start_worker(batch=100, lease_seconds=60.0, poll_seconds=WORKER_POLL_SECONDS)
    thread = threading.Thread(
        target=supervise, args=(worker,), name="aftercare-worker", daemon=True
    )
    thread.start()

    def stop() -> None:
        worker.stop()
        thread.join(WORKER_STOP_SECONDS)

    print("Sending reminders from this process (--no-worker to turn off)", flush=True)
    return stop


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _process_count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_PROCESSES:
        raise argparse.ArgumentTypeError(f"'{text}' must be a whole number from 1 to 64")
    return int(text)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 1 and 65535")
    return value
