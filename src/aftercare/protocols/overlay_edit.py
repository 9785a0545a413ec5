"""Set one field of one item in a clinic's overlay text, keeping the rest as it was written.

The clinic's settings page changes a window, an SPF or a washout without the YAML: this
writes the same overlay format the YAML box holds (an expert's comments and order kept),
with the reason on the change. Whether the result is allowed (a relaxing change needs a
reason, values within the protocol's limits) is for ``apply_overlay`` to say, as for any
overlay.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from aftercare.protocols.document import MAX_OVERLAY_BYTES, ProtocolError, ProtocolIssue, parse_yaml

__all__ = ["FieldChange", "set_field"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """Set ``field`` of ``item`` to ``value``, for ``reason``; ``standard`` puts the
    protocol's own value back (the overlay stops naming the field)."""

    item: str
    field: str
    value: int | float | str | None
    reason: str
    standard: bool = False


def set_field(
    text: str, change: FieldChange, *, protocol_id: str, overlay_id: str, title: str
) -> str:
    """``text`` (an overlay, or empty) with ``change`` made; "" when nothing is left to
    change. A ProtocolError when ``text`` is not an overlay that can be edited."""
    document = _document(text, protocol_id, overlay_id, title)
    changes = document["changes"]
    mine = [c for c in changes if isinstance(c, dict) and c.get("item") == change.item]
    for existing in mine:
        values = existing.get("set")
        if isinstance(values, dict) and change.field in values:
            if len(values) == 1 and not change.standard:
                values[change.field] = change.value
                existing["reason"] = change.reason
                return _dump(document)
            del values[change.field]
            if not values:
                changes.remove(existing)
    if not change.standard:
        changes.append(_new_change(change))
    return _dump(document) if changes else ""


def _document(text: str, protocol_id: str, overlay_id: str, title: str) -> Any:
    source = "overlay"
    node = parse_yaml(text, source, MAX_OVERLAY_BYTES) if text.strip() else None
    if node is None:
        node = CommentedMap([("id", overlay_id), ("protocol", protocol_id), ("title", title)])
    if not isinstance(node, dict):
        raise ProtocolError(source, [ProtocolIssue("", "an overlay file is a YAML mapping", 1)])
    changes = node.get("changes")
    if changes is None:
        node["changes"] = changes = CommentedSeq()
    if not isinstance(changes, list):
        message = "'changes' is not a list of changes"
        raise ProtocolError(source, [ProtocolIssue("changes", message, None)])
    return node


def _new_change(change: FieldChange) -> CommentedMap:
    values = CommentedMap([(change.field, change.value)])
    values.fa.set_flow_style()
    return CommentedMap([("item", change.item), ("set", values), ("reason", change.reason)])


def _dump(document: Any) -> str:
    yaml = YAML(typ="rt")
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()
