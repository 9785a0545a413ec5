"""The effective protocol of a clinic: the base protocol, the clinic's overlay, its settings.

Loading and checking the protocol takes a quarter of a second, so each distinct overlay and
setting is built once per process and shared; protocols are immutable, so sharing is safe.
The clinic's "age counted as older" setting becomes one more overlay change on the
protocol's older-patient modifier, so it is recorded and versioned like any other change.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import ValidationError

from aftercare.protocols.load import (
    MAX_OVERLAY_BYTES,
    ProtocolError,
    ProtocolIssue,
    load_protocol,
    parse_yaml,
    to_plain,
    validation_issues,
)
from aftercare.protocols.overlay import Overlay, apply_overlay
from aftercare.protocols.schema import Protocol
from aftercare.web.clinic.models import Clinic

__all__ = [
    "OLDER_MODIFIER",
    "aftercare_horizon_hours",
    "base_protocol",
    "clinic_protocol",
    "effective_protocol",
]

# The protocol modifier the clinic's age setting moves.
OLDER_MODIFIER = "older_patient"
SETTINGS_REASON = "The clinic's setting for the age from which a patient counts as older."


@lru_cache(maxsize=1)
def base_protocol() -> Protocol:
    return load_protocol()


@lru_cache(maxsize=64)
def effective_protocol(overlay_yaml: str, older_age_years: int, source: str) -> Protocol:
    """The base protocol with ``overlay_yaml`` and the age setting; ProtocolError if invalid."""
    base = base_protocol()
    node = parse_yaml(overlay_yaml, source, MAX_OVERLAY_BYTES) if overlay_yaml.strip() else None
    if node is not None and not isinstance(node, dict):
        raise ProtocolError(source, [ProtocolIssue("", "an overlay file is a YAML mapping", 1)])
    document = to_plain(node) if node is not None else None
    if older_age_years != _older_age(base):
        document = document or {
            "id": "clinic-settings",
            "protocol": base.id,
            "title": "Clinic settings",
            "changes": (),
        }
        document["changes"] = (
            *document.get("changes", ()),
            {
                "item": OLDER_MODIFIER,
                "set": {"age_at_least": older_age_years},
                "reason": SETTINGS_REASON,
            },
        )
    if document is None:
        return base
    try:
        overlay = Overlay.model_validate(document)
    except ValidationError as error:
        raise ProtocolError(source, validation_issues(error, node)) from None
    return apply_overlay(base, overlay, source=source, node=node)


def clinic_protocol(clinic: Clinic) -> Protocol:
    """The protocol ``clinic`` works to (its overlay was checked when it was saved)."""
    return effective_protocol(clinic.overlay_yaml, clinic.older_age_years, f"{clinic.slug} overlay")


def _older_age(protocol: Protocol) -> int | None:
    for modifier in protocol.modifiers:
        if modifier.id == OLDER_MODIFIER:
            return modifier.age_at_least
    return None


def aftercare_horizon_hours(protocol: Protocol) -> int:
    """How long after a treatment a patient is in aftercare: the protocol's declared horizon,
    or its last rule or timeline group if an overlay moved one past it."""
    rules = (max(r.allowed_from_hours, r.required_until_hours or 0) for r in protocol.aftercare)
    groups = (g.until_hours or 0 for g in protocol.timeline_groups)
    return max(protocol.horizon_hours, *rules, *groups)
