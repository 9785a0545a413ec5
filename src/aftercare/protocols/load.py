"""Load a protocol (and an optional clinic overlay) from YAML, reporting every error.

The YAML is read by :mod:`aftercare.protocols.document`, so that each error names its
path and line; the validated protocol is kept in :mod:`aftercare.protocols.cache`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aftercare.protocols.cache import cache_key, cached
from aftercare.protocols.document import (
    MAX_OVERLAY_BYTES,
    MAX_PROTOCOL_BYTES,
    ProtocolError,
    ProtocolIssue,
    format_path,
    line_of,
    parse_yaml,
    read_yaml,
    to_plain,
    validation_issues,
)
from aftercare.protocols.overlay import apply_overlay_file
from aftercare.protocols.references import reference_issues
from aftercare.protocols.schema import Protocol

__all__ = [
    "DEFAULT_PROTOCOL",
    "MAX_OVERLAY_BYTES",
    "MAX_PROTOCOL_BYTES",
    "ProtocolError",
    "ProtocolIssue",
    "default_protocol_path",
    "format_path",
    "load_protocol",
    "parse_yaml",
    "read_yaml",
    "to_plain",
    "validation_issues",
]

DEFAULT_PROTOCOL = "microneedling"


def default_protocol_path() -> Path:
    return Path(str(resources.files("aftercare.protocols").joinpath(f"{DEFAULT_PROTOCOL}.yaml")))


def load_protocol(path: Path | None = None, overlay: Path | None = None) -> Protocol:
    """Load and check a protocol file (the default one when ``path`` is None).

    With ``overlay``, the clinic's changes are applied and checked too, and the
    result is the effective protocol with its own id and version.
    """
    source = path or default_protocol_path()
    key = cache_key(source, overlay, max_bytes=MAX_PROTOCOL_BYTES)
    return cached("protocol", key, Protocol, lambda: _load(source, overlay), _has_sound_references)


def _has_sound_references(protocol: Protocol) -> bool:
    """A cached protocol's references are checked again, as its shape is: never trusted."""
    return not any(True for _ in reference_issues(protocol))


def _load(source: Path, overlay: Path | None) -> Protocol:
    protocol = _validate(source, read_yaml(source))
    if overlay is None:
        return protocol
    effective: Protocol = apply_overlay_file(protocol, overlay)
    return effective


def _validate(source: Path, node: Any) -> Protocol:
    if not isinstance(node, dict):
        raise ProtocolError(
            str(source), [ProtocolIssue("", "a protocol file is a YAML mapping", 1)]
        )
    try:
        protocol = Protocol.model_validate(to_plain(node))
    except ValidationError as error:
        raise ProtocolError(str(source), validation_issues(error, node)) from None
    issues = [
        ProtocolIssue(path, message, line_of(node, loc))
        for loc, path, message in reference_issues(protocol)
    ]
    if issues:
        raise ProtocolError(str(source), issues)
    return protocol
