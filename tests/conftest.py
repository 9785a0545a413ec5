from __future__ import annotations

import pytest

from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    """The built-in protocol, loaded once."""
    return load_protocol()
