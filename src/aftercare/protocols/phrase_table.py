"""The mechanism of a phrase table's section: a frozen model whose phrases must hold
exactly the {placeholders} their renderer fills, checked when the table loads."""

from __future__ import annotations

import string
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["Table", "fills_of"]


class Table(BaseModel):
    """Phrases whose {placeholders} must be exactly those named in ``fills``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    fills: ClassVar[dict[str, frozenset[str]]] = {}

    @model_validator(mode="after")
    def _placeholders_match(self) -> Table:
        for name, wanted in self.fills.items():
            found = _placeholders(getattr(self, name))
            if found != wanted:
                shown = ", ".join(f"{{{p}}}" for p in sorted(wanted)) or "no placeholders"
                raise ValueError(f"phrase '{name}' must use {shown}")
        return self


def _placeholders(text: str) -> frozenset[str]:
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field)


def fills_of(**names: str) -> dict[str, frozenset[str]]:
    """``name="a b"``: phrase ``name`` fills the placeholders {a} and {b}."""
    return {name: frozenset(words.split()) for name, words in names.items()}
