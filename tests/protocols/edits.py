"""Broken copies of the real protocol, for the tests of what loading reports: one targeted
edit each, so a test shows exactly what was broken, and lines found in the edited text
rather than written down by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftercare.protocols.load import ProtocolError, ProtocolIssue, load_protocol

__all__ = ["edited", "issues_of", "line_of_text"]


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the edit must match once: {old!r}"
    return text.replace(old, new)


def line_of_text(text: str, needle: str) -> int:
    """The 1-based line on which ``needle`` starts (it must occur once)."""
    assert text.count(needle) == 1, f"not unique: {needle!r}"
    return text[: text.index(needle)].count("\n") + 1


def issues_of(tmp_path: Path, text: str) -> tuple[ProtocolIssue, ...]:
    """Every issue loading ``text`` reports, each with its path and line."""
    path = tmp_path / "protocol.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProtocolError) as raised:
        load_protocol(path)
    assert raised.value.source == str(path)
    return raised.value.issues
