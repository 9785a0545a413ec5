from __future__ import annotations

import pytest
from hypothesis import settings

from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol

# Property tests check behaviour, not speed (bench/ does that): a busy machine, such as CI
# running the browser test alongside, must not fail them on Hypothesis's per-example deadline.
settings.register_profile("aftercare", deadline=None)
settings.load_profile("aftercare")


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    """The built-in protocol, loaded once."""
    return load_protocol()
