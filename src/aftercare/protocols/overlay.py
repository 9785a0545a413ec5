"""Clinic overlays (being written)."""

from __future__ import annotations

from pathlib import Path

from aftercare.protocols.schema import Protocol

__all__ = ["apply_overlay_file"]


def apply_overlay_file(protocol: Protocol, path: Path) -> Protocol:
    raise NotImplementedError
