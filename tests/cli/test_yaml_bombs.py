"""A YAML alias bomb ("billion laughs") is refused at once, and overlays are bounded."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from aftercare.protocols.load import MAX_OVERLAY_BYTES, default_protocol_path

# 342 bytes that expand to 9^9 (387 million) strings if aliases are followed.
BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
REFUSED = "(top level): YAML aliases (*a) are not allowed; write the value out (line 2)"


def validate(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    command = [str(Path(sys.executable).parent / "aftercare"), "protocol", "validate", *args]
    start = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    return run, time.monotonic() - start


@pytest.mark.parametrize("as_overlay", [False, True])
def test_an_alias_bomb_is_refused_at_once(tmp_path: Path, as_overlay: bool) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    assert len(BOMB.encode()) == 342
    args = [str(default_protocol_path()), "--overlay", str(bomb)] if as_overlay else [str(bomb)]
    run, took = validate(*args)
    assert (run.returncode, run.stderr) == (1, "")
    assert run.stdout.splitlines() == [f"{bomb}: 1 error", REFUSED]
    assert took < 10


def test_an_overlay_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    overlay = tmp_path / "long.yaml"
    text = "id: long\nprotocol: microneedling\n" + "# padding\n" * 7000
    overlay.write_text(text)
    run, _ = validate(str(default_protocol_path()), "--overlay", str(overlay))
    assert run.returncode == 1
    assert run.stdout.splitlines()[1] == (
        f"(top level): the file is too long ({len(text)} bytes; at most {MAX_OVERLAY_BYTES})"
    )
