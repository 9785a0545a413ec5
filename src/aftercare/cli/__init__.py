"""The `aftercare` command line.

Each command group lives in its own module with a ``register(subparsers)`` function.
Bad input prints one line on standard error and exits 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

# pydantic looks through every installed package for plugins when it builds its first
# model, a tenth of a command's time; the project uses none. A deployment that wants one
# sets the variable itself.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from aftercare.cli.common import CliError, Parser
from aftercare.engine.errors import AftercareError
from aftercare.protocols.load import ProtocolError

__all__ = ["COMMANDS", "build_parser", "main"]


# Each command by the module that registers it (with the commands beside it). A command
# builds only its own module's parser: importing every module, and reading every protocol for
# `aftercare screen`'s flags, would cost `aftercare check` most of its time.
COMMANDS = {
    "plan": "plan",
    "check": "plan",
    "ask": "plan",
    "protocol": "protocol",
    "triage": "clinical",
    "course": "clinical",
    "screen": "screening",
    "serve": "serve",
    "add-clinic": "serve",
    "manage": "serve",
    "worker": "worker",
    "apikey": "apikey",
    "audit": "audit",
    "backup": "backup",
    "restore": "backup",
    "retention": "retention",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of ``command``'s module, or of every module (for --help, or a command
    that is not one, so that the error lists them all)."""
    parser = Parser(
        prog="aftercare",
        description="Computable, cited microneedling aftercare.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in names:
        import_module(f"aftercare.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    command = arguments[0] if arguments else None
    parser = build_parser(command)
    try:
        # Inside the try: a command's factor flags come from the protocol it names, so
        # reading the arguments may load (and refuse) a protocol.
        args = parser.parse_args(arguments)
        code: int = args.handler(args)
    except ProtocolError as error:
        # A broken protocol or overlay: one line naming the first problem and the count.
        first = error.issues[0] if error.issues else ""
        _fail(f"{error}; first: {first}")
    except (AftercareError, CliError) as error:
        _fail(str(error))
    except BrokenPipeError:
        return 0
    return code


def _fail(message: str) -> None:
    print(f"aftercare: error: {message}", file=sys.stderr)
    raise SystemExit(2)
