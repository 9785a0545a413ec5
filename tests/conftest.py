from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import settings

from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Protocol

# Property tests check behaviour, not speed (bench/ does that): a busy machine, such as CI
# running the browser test alongside, must not fail them on Hypothesis's per-example deadline.
settings.register_profile("aftercare", deadline=None)
settings.load_profile("aftercare")

# Validated protocols are cached in a folder of this run's own, never the user's.
os.environ.setdefault("AFTERCARE_CACHE_DIR", tempfile.mkdtemp(prefix="aftercare-test-cache-"))


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    """The built-in protocol, loaded once."""
    return load_protocol()
