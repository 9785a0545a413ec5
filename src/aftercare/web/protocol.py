"""The effective protocol of a clinic: the base protocol with the clinic's overlay applied.

Loading and checking the protocol takes a quarter of a second, so each distinct overlay is
built once per process and shared; protocols are immutable, so sharing is safe.
"""

from __future__ import annotations

from functools import lru_cache

from aftercare.protocols.load import load_protocol
from aftercare.protocols.overlay import apply_overlay_text
from aftercare.protocols.schema import Protocol
from aftercare.web.clinic.models import Clinic

__all__ = ["base_protocol", "clinic_protocol", "overlay_protocol"]


@lru_cache(maxsize=1)
def base_protocol() -> Protocol:
    return load_protocol()


@lru_cache(maxsize=64)
def overlay_protocol(overlay_yaml: str, source: str) -> Protocol:
    """The base protocol with ``overlay_yaml``; raises ProtocolError when it does not apply."""
    if not overlay_yaml.strip():
        return base_protocol()
    return apply_overlay_text(base_protocol(), overlay_yaml, source)


def clinic_protocol(clinic: Clinic) -> Protocol:
    """The protocol ``clinic`` works to (its overlay was checked when it was saved)."""
    return overlay_protocol(clinic.overlay_yaml, f"{clinic.slug} overlay")
