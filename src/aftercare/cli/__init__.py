"""The `aftercare` command line.

Each command group lives in its own module with a ``register(subparsers)`` function.
Bad input prints one line on standard error and exits 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

# pydantic looks through every installed package for plugins when it builds its first
# model, a tenth of a command's time; the project uses none. A deployment that wants one
# sets the variable itself.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from aftercare.cli.common import CliError, Parser
from aftercare.engine.errors import AftercareError
from aftercare.protocols.load import ProtocolError

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    # Imported here so that `aftercare --help` lists every group and each module stays small.
    from aftercare.cli import (
        apikey,
        audit,
        backup,
        clinical,
        plan,
        protocol,
        retention,
        screening,
        serve,
        worker,
    )

    parser = Parser(
        prog="aftercare",
        description="Computable, cited microneedling aftercare.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = (plan, protocol, clinical, screening, serve, worker, apikey, audit, backup, retention)
    for module in modules:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
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
