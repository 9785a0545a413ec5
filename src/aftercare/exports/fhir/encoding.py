"""A Bundle as FHIR JSON, safe to show and quick to write."""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B.bundle import Bundle

__all__ = ["to_json"]

# The most protocol versions whose resources are kept as JSON values at once.
_MAX_CACHED = 64

# Characters that are valid inside a JSON string but can reorder, hide or break lines of
# text where the file is shown (bidi controls, zero-width marks, line separators): escaped
# as \uXXXX, which every JSON reader turns back into the same character.
_HIDDEN = frozenset(
    (
        0x061C,
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2028,
        0x2029,
        0x2060,
        0xFEFF,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
)
_ESCAPES = {code: f"\\u{code:04x}" for code in _HIDDEN}


def to_json(result: Bundle, *, indent: int | None = None) -> str:
    """The Bundle as FHIR JSON, with invisible and direction-changing characters escaped.

    The protocol's own resources (the PlanDefinition and the Questionnaires) are two
    thirds of a Bundle and the same for every patient under one protocol version, whose
    hash their ids carry: they are turned into JSON values once per process.
    """
    entries = []
    for entry in result.entry or ():
        resource = entry.resource
        kind = resource.get_resource_type() if resource is not None else ""
        if resource is not None and kind in _PROTOCOL_TYPES and resource.id:
            key = (kind, str(resource.id))
            if key not in _PROTOCOL_JSON:
                if len(_PROTOCOL_JSON) >= _MAX_CACHED * len(_PROTOCOL_TYPES):
                    _PROTOCOL_JSON.clear()
                _PROTOCOL_JSON[key] = resource.model_dump(mode="json")
            entries.append({"fullUrl": entry.fullUrl, "resource": _PROTOCOL_JSON[key]})
        else:
            entries.append(entry.model_dump(mode="json"))
    # A copy without entries: excluding them from the dump would still encode them first.
    data = result.model_copy(update={"entry": None}).model_dump(mode="json")
    if entries:
        data["entry"] = entries
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(data, indent=indent, ensure_ascii=False, separators=separators)
    return text.translate(_ESCAPES)


# The JSON values of the protocol's resources, by resource type and id (see ``to_json``).
_PROTOCOL_TYPES = frozenset({"PlanDefinition", "Questionnaire"})
_PROTOCOL_JSON: dict[tuple[str, str], Any] = {}
