"""The mini protocol: a tiny, made-up protocol for the engine's mechanism tests.

The engine's tests check mechanisms (gates, windows, widening, triage levels, reminder
moments, course gaps, screening dates) on this file's easy numbers; the packaged
protocols' medicine is pinned in tests/protocols/, so a clinical change there never breaks
a mechanism test here.
"""

from __future__ import annotations

import functools
from pathlib import Path

from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol

__all__ = ["MINI_PATH", "mini_protocol"]

MINI_PATH = Path(__file__).parent / "fixtures" / "mini.yaml"


@functools.cache
def mini_protocol() -> Protocol:
    """The mini protocol, loaded and checked like any protocol file, once per run.

    A plain function as well as the ``mini`` fixture: Hypothesis tests and module-level
    strategies cannot take fixtures.
    """
    return load_protocol(MINI_PATH)
