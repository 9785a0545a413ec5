"""What every part of the protocol schema is built from: strict models, the shared field
types, and the sources an item of clinical content cites."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from string import Formatter
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Citation",
    "Cited",
    "Hours",
    "Id",
    "Leaflet",
    "Provenance",
    "ProvenanceField",
    "Reconciliation",
    "RuleId",
    "Strict",
    "Text",
    "WallTime",
    "all_or_none",
    "check_placeholders",
]

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
RuleId = Annotated[str, Field(pattern=r"^[A-Z]{2,4}-[a-z0-9-]+$", max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Hours = Annotated[int, Field(ge=0, le=24 * 366)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Provenance(StrEnum):
    LEAFLET = "leaflet"
    RECONCILED = "reconciled"
    LITERATURE = "literature"


ProvenanceField = Annotated[Provenance, Field(strict=False)]


# --- sources -----------------------------------------------------------------


class Leaflet(Strict):
    id: Annotated[str, Field(pattern=r"^S\d{3}$")]
    file: Annotated[str, Field(pattern=r"^[\w.-]+\.txt$")]
    title: Text


class Citation(Strict):
    """One source behind an item: a leaflet quote, or a literature reference."""

    leaflet: str | None = None
    quote: Text | None = None
    literature: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Citation:
        if (self.leaflet is None) == (self.literature is None):
            raise ValueError("a citation names either a leaflet or literature, not both")
        if self.leaflet is not None and self.quote is None:
            raise ValueError("a leaflet citation needs a quote")
        return self


class Reconciliation(Strict):
    conflict: Annotated[str, Field(pattern=r"^C\d+$")]
    rule: Literal[
        "most_conservative",
        "conjunction",
        "specific_over_general",
        "explicit_over_vague",
        "seed_over_literature",
        "literature_fills_silence",
    ]
    note: Text


class Cited(Strict):
    """An item of clinical content: it names its sources and how it was decided."""

    sources: Annotated[tuple[Citation, ...], Field(min_length=1)]
    provenance: ProvenanceField
    reconciliation: Reconciliation | None = None

    @model_validator(mode="after")
    def _reconciled_names_conflict(self) -> Cited:
        reconciled = self.provenance is Provenance.RECONCILED
        if reconciled != (self.reconciliation is not None):
            raise ValueError("provenance 'reconciled' and a 'reconciliation' go together")
        if reconciled and len(self.sources) < 2:
            raise ValueError("a reconciled item cites the statements it reconciled (two or more)")
        return self


def _wall_time(text: str) -> str:
    try:
        time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a time of day; use HH:MM, from 00:00 to 23:59") from None
    if len(text) != len("00:00"):
        raise ValueError(f"'{text}' is not a time of day; use HH:MM, from 00:00 to 23:59")
    return text


WallTime = Annotated[str, AfterValidator(_wall_time)]


def all_or_none(wanted: bool, *parts: object) -> bool:
    """All of ``parts`` are given when ``wanted``, and none otherwise."""
    given = [part is not None for part in parts]
    return all(given) if wanted else not any(given)


def check_placeholders(text: str, allowed: frozenset[str]) -> None:
    try:
        names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError:
        raise ValueError("a brace in text is not a placeholder; write {{ or }} for one") from None
    unknown = sorted(names - allowed)
    if unknown:
        offered = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
        raise ValueError(f"unknown placeholder '{{{unknown[0]}}}' in text; this kind has {offered}")
