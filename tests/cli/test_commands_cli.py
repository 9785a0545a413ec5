"""The command table: each command builds only its own module's parser, and the table
names exactly the commands each module registers."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

from aftercare.cli import COMMANDS, build_parser, main
from aftercare.cli.common import Parser
from aftercare.protocols.registry import ProtocolRegistry
from aftercare.protocols.schema import Protocol

SOURCE = Path(__file__).resolve().parents[2] / "src"
# Modules `aftercare check` has no use for: the web app, the other commands' modules, the
# engine's question reading, timeline and course planner, the fuzzy matcher, and the YAML
# reader once the protocol and the phrase table are cached.
UNNEEDED_BY_CHECK = (
    "django",
    "aftercare.web",
    "aftercare.cli.screening",
    "aftercare.cli.clinical",
    "aftercare.cli.serve",
    "aftercare.contracts",
    "aftercare.engine.ask",
    "aftercare.engine.timeline",
    "aftercare.engine.course",
    "rapidfuzz",
    "ruamel",
)


def registered(parser: argparse.ArgumentParser) -> set[str]:
    (subparsers,) = (
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    return set(subparsers.choices)


@pytest.mark.parametrize("module", sorted(set(COMMANDS.values())))
def test_it_names_each_command_a_module_registers(module: str) -> None:
    parser = Parser(prog="aftercare")
    subparsers = parser.add_subparsers(dest="command")

    import_module(f"aftercare.cli.{module}").register(subparsers)

    assert set(subparsers.choices) == {name for name, owner in COMMANDS.items() if owner == module}


def test_it_knows_every_module_that_registers_commands() -> None:
    modules = {
        path.stem
        for path in (SOURCE / "aftercare" / "cli").glob("*.py")
        if "\ndef register(" in path.read_text(encoding="utf-8")
    }

    assert modules == set(COMMANDS.values())


@pytest.mark.parametrize("first", [None, "--help", "chek", "-h"])
def test_it_builds_every_command_for_help_or_a_command_that_is_not_one(
    first: str | None,
) -> None:
    assert registered(build_parser(first)) == set(COMMANDS)


def test_it_builds_only_the_module_of_the_command_given() -> None:
    assert registered(build_parser("check")) == {"plan", "check", "ask"}


def test_it_lists_every_command_when_one_is_misspelt(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["chek", "makeup"])

    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith("aftercare: error: argument COMMAND: invalid choice: 'chek'")
    assert "'screen'" in err
    assert "'retention'" in err


def test_it_loads_the_protocol_once_for_its_factor_flags_and_the_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    loads: list[tuple[object, ...]] = []
    load = ProtocolRegistry.load

    def counted(self: ProtocolRegistry, *args: object) -> Protocol:
        loads.append(args)
        return load(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ProtocolRegistry, "load", counted)

    assert main(["check", "makeup", "--hours-after", "30", "--age", "70"]) == 0
    assert capsys.readouterr().out.startswith("Makeup: yes")
    assert loads == [("microneedling", None)]


def test_it_checks_an_activity_without_the_web_app_or_other_commands(tmp_path: Path) -> None:
    program = (
        "import json, sys\n"
        "from aftercare.cli import main\n"
        "main(['check', 'makeup', '--hours-after', '30'])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SOURCE), "AFTERCARE_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True
        )
        for _ in range(2)
    ]

    first, cached = (json.loads(run.stdout.splitlines()[-1]) for run in runs)
    assert runs[1].stdout.startswith("Makeup: yes, once the redness has gone")
    assert not [name for name in first if name.startswith(UNNEEDED_BY_CHECK[:-1])]
    assert not [name for name in cached if name.startswith(UNNEEDED_BY_CHECK)]
