from __future__ import annotations

import pytest

from aftercare.protocols.schema import Protocol
from tests.engine.mini import mini_protocol


@pytest.fixture(scope="session")
def mini() -> Protocol:
    """The mini protocol of the mechanism tests (tests/engine/fixtures/mini.yaml)."""
    return mini_protocol()
