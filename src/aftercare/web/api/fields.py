"""The value types every API schema shares: dates and moments taken as written, bounded
text, citations, and the base of answers built from plain values."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "Day",
    "IsoDate",
    "Moment",
    "Name",
    "Out",
    "ProcedureId",
    "ProtocolRef",
    "Source",
    "Text",
]

Text = Annotated[str, Field(max_length=5000)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
# A packaged protocol's id, as its file is named.
ProcedureId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9-]+$")]

# pydantic would also read a number, or a string of digits, as seconds since 1970: a client
# that sent 0 for a date would get 1 January 1970. Dates and moments are taken as written.
WRITTEN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_date(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and WRITTEN_DATE.fullmatch(value)):
        return value
    raise ValueError("should be a date written YYYY-MM-DD")


def _written_moment(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and WRITTEN_DATE.match(value)):
        return value
    raise ValueError("should be a date and time written YYYY-MM-DDTHH:MM with its UTC offset")


IsoDate = Annotated[date, BeforeValidator(_written_date)]
Day = Annotated[IsoDate, Field(ge=date(1900, 1, 1), le=date(2200, 12, 31))]
# A moment sent to the API: from 2000, long after the last zone with seconds in its UTC
# offset gave them up (Africa/Monrovia, 1972), so every time given back can be written as
# RFC 3339 asks, to the end of 2200, as for dates.
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_written_moment),
    Field(ge=datetime(2000, 1, 1, tzinfo=UTC), le=datetime(2200, 12, 31, 23, 59, tzinfo=UTC)),
]


class Out(BaseModel):
    """An answer built from plain values (the engine's, as JSON), never from records.

    ninja's ``Schema`` wraps every value it validates to read Django records' attributes;
    a plan's hundred nested items made that wrapping a quarter of the route's time.
    """

    model_config = ConfigDict(from_attributes=True)


class Source(Out):
    """A citation: a leaflet (by file name) with its quote, or literature with a note."""

    leaflet: str | None = None
    quote: str | None = None
    literature: str | None = None
    note: str | None = None


class ProtocolRef(Schema):
    id: str
    version: str
