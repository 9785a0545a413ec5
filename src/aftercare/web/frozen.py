"""Turn engine results into plain JSON, to freeze what was said at the time."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

__all__ = ["frozen"]


def frozen(value: Any) -> Any:
    """``value`` as JSON-ready lists, dicts, strings, numbers, booleans and None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: frozen(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return frozen(value.value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): frozen(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(frozen(item) for item in value)
    if isinstance(value, list | tuple):
        return [frozen(item) for item in value]
    return value
