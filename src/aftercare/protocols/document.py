"""A YAML document read with its line numbers, and the issues reported against it.

YAML is read as YAML 1.2 by ruamel's round-trip loader, which builds only plain
mappings, sequences and scalars (nothing executable) and keeps line numbers, so
that each error can name the path *and* the line: ``aftercare[3].allowed_from_hours:
Input should be greater than or equal to 0 (line 88)``. Protocols and clinic overlays
are both read this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from ruamel.yaml import YAML

__all__ = [
    "MAX_OVERLAY_BYTES",
    "MAX_PROTOCOL_BYTES",
    "ProtocolError",
    "ProtocolIssue",
    "format_path",
    "line_of",
    "parse_yaml",
    "read_yaml",
    "to_plain",
    "validation_issues",
]

# The most a protocol file, and a clinic's overlay, may hold.
MAX_PROTOCOL_BYTES = 1024 * 1024
MAX_OVERLAY_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class ProtocolIssue:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.path or '(top level)'}: {self.message}{where}"


class ProtocolError(Exception):
    """A protocol or overlay file that cannot be used; ``issues`` lists every problem."""

    def __init__(self, source: str, issues: Sequence[ProtocolIssue]) -> None:
        self.source = source
        self.issues = tuple(issues)
        count = len(self.issues)
        super().__init__(f"{source}: {count} error{'s' if count != 1 else ''}")


def read_yaml(path: Path, max_bytes: int = MAX_PROTOCOL_BYTES) -> Any:
    """Parse a YAML 1.2 file, keeping line numbers; a syntax error is a ProtocolError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProtocolError(
            str(path), [ProtocolIssue("", f"cannot read the file: {error}")]
        ) from None
    return parse_yaml(text, str(path), max_bytes)


def parse_yaml(text: str, source: str, max_bytes: int = MAX_PROTOCOL_BYTES) -> Any:
    """Parse YAML 1.2 text (e.g. an overlay kept in a database), as :func:`read_yaml` does.

    Aliases (``*name``) are refused before anything is built: a few hundred bytes of nested
    aliases expand to billions of nodes (a "billion laughs"), and protocol data has no use
    for them. Text longer than ``max_bytes`` is refused unread.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > max_bytes:
        issue = f"the file is too long ({size} bytes; at most {max_bytes})"
        raise ProtocolError(source, [ProtocolIssue("", issue)])
    # Imported here: a command whose protocol comes from the cache never parses YAML.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        _refuse_aliases(yaml, text, source)
        return yaml.load(text)
    except MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        message = " ".join(str(error.problem or error.context or "invalid YAML").split())
        raise ProtocolError(source, [ProtocolIssue("", message, line)]) from None
    except YAMLError as error:
        raise ProtocolError(source, [ProtocolIssue("", " ".join(str(error).split()))]) from None


def _refuse_aliases(yaml: YAML, text: str, source: str) -> None:
    from ruamel.yaml.events import AliasEvent

    for event in yaml.parse(text):
        if isinstance(event, AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else None
            issue = f"YAML aliases (*{event.anchor}) are not allowed; write the value out"
            raise ProtocolError(source, [ProtocolIssue("", issue, line)])


def to_plain(node: Any) -> Any:
    """Round-trip YAML nodes to plain values: mappings to dicts, sequences to tuples."""
    if isinstance(node, dict):
        return {str(key): to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return tuple(to_plain(item) for item in node)
    if isinstance(node, str):
        return str(node)
    return node


def validation_issues(error: ValidationError, node: Any) -> list[ProtocolIssue]:
    """One issue per pydantic error, with the path people read and the YAML line."""
    issues = []
    for detail in error.errors(include_url=False):
        loc = _data_loc(detail["loc"], node)
        message = detail["msg"].removeprefix("Value error, ")
        issues.append(ProtocolIssue(format_path(loc), message, line_of(node, loc)))
    return issues


def _data_loc(loc: Iterable[int | str], node: Any) -> tuple[int | str, ...]:
    """Drop pydantic's type tags (e.g. 'function-after[...]') that are not keys in the data."""
    kept: list[int | str] = []
    current = node
    for part in loc:
        if not isinstance(current, dict | list):
            continue  # past a scalar, the rest are pydantic's tags
        child = _child(current, part)
        if child is _MISSING:
            # A missing key or an unknown field: name it, and stop walking.
            if isinstance(part, str) and "[" not in part:
                kept.append(part)
            break
        current = child
        kept.append(part)
    return tuple(kept)


_MISSING = object()


def _child(container: dict[Any, Any] | list[Any], part: int | str) -> Any:
    if isinstance(container, dict):
        return container.get(part, _MISSING)
    if isinstance(part, int) and 0 <= part < len(container):
        return container[part]
    return _MISSING


def format_path(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_of(node: Any, loc: Iterable[int | str]) -> int | None:
    """The 1-based line of the deepest part of ``loc`` present in the YAML."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    line = None
    current = node
    for part in loc:
        if isinstance(current, CommentedMap) and part in current:
            line = current.lc.key(part)[0] + 1
            current = current[part]
        elif isinstance(current, CommentedSeq) and isinstance(part, int) and part < len(current):
            line = current.lc.item(part)[0] + 1
            current = current[part]
        else:
            break
    if line is None and isinstance(node, CommentedMap | CommentedSeq):
        line = node.lc.line + 1
    return line
