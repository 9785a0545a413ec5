"""Turn what people type ("gym", "make-up") into canonical ids, or close matches."""

from __future__ import annotations

import difflib

from aftercare.engine.errors import UnknownNameError
from aftercare.protocols.index import normalise_name

__all__ = ["resolve", "suggest"]


def resolve(kind: str, name: str, names: dict[str, str]) -> str:
    """The id that ``name`` stands for; UnknownNameError with suggestions otherwise."""
    found = names.get(normalise_name(name))
    if found is None:
        raise UnknownNameError(kind, name, suggest(name, names))
    return found


def suggest(name: str, names: dict[str, str], limit: int = 3) -> tuple[str, ...]:
    """Up to ``limit`` ids whose names are close to ``name``, best first, never a guess."""
    key = normalise_name(name)
    close = difflib.get_close_matches(key, names.keys(), n=limit * 3, cutoff=0.72)
    close += [known for known in names if key and len(key) >= 3 and known.startswith(key)]
    ids: list[str] = []
    for match in close:
        if names[match] not in ids:
            ids.append(names[match])
    return tuple(ids[:limit])
