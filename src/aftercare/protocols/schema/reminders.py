"""The reminder schedule: what to send, on which local days, at what time."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from aftercare.protocols.schema.base import (
    Cited,
    RuleId,
    Text,
    WallTime,
    all_or_none,
    check_placeholders,
)

__all__ = ["REMINDER_PLACEHOLDERS", "ReminderItem", "ReminderKind", "ReminderKindField"]


class ReminderKind(StrEnum):
    """What a scheduled message is for; the engine knows when each kind is due."""

    WELCOME = "welcome"
    CHANGE = "change"
    SUNSCREEN = "sunscreen"
    CHECK_IN = "check_in"
    NEXT_SESSION = "next_session"
    MAINTENANCE = "maintenance"


ReminderKindField = Annotated[ReminderKind, Field(strict=False)]
ReminderDay = Annotated[int, Field(ge=1, le=366)]

# The values the engine renders into a message's text, by kind ("SPF {spf} or higher").
REMINDER_PLACEHOLDERS: dict[ReminderKind, frozenset[str]] = {
    ReminderKind.WELCOME: frozenset(),
    ReminderKind.CHANGE: frozenset(),
    ReminderKind.SUNSCREEN: frozenset({"spf"}),
    ReminderKind.CHECK_IN: frozenset(),
    ReminderKind.NEXT_SESSION: frozenset({"earliest", "latest"}),
    ReminderKind.MAINTENANCE: frozenset({"earliest", "latest"}),
}


class ReminderItem(Cited):
    """One entry of the reminder schedule: what to send, on which local days, at what time.

    Days are the patient's local calendar days after the treatment's local date (day 1 is
    the next day); ``at`` is a wall-clock time on the patient's clock. The welcome is sent
    when the treatment ends, so it has no ``at``.

    Items that ``combine`` go out as one message on each local day they fall on, at the
    earliest of their times; an item that is not sent ``alone`` only rides along with the
    others (a sunscreen reminder on a day the plan changes). ``sms_text`` is the shorter
    wording for a text message, so that it fits in two segments.
    """

    id: RuleId
    kind: ReminderKindField
    at: WallTime | None = None
    days: tuple[ReminderDay, ...] = ()
    first_day: ReminderDay | None = None
    last_day: ReminderDay | None = None
    rule: RuleId | None = None
    text: Text
    sms_text: Text | None = None
    sms_more_text: Text | None = None
    combine: bool = False
    alone: bool = True
    avoid_ended_text: Text | None = None
    routine_ended_text: Text | None = None

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> ReminderItem:
        kind = self.kind
        if (kind is ReminderKind.WELCOME) != (self.at is None):
            raise ValueError("every reminder but the welcome has a local time 'at'")
        if (kind is ReminderKind.CHECK_IN) != bool(self.days):
            raise ValueError("a 'check_in' reminder, and only that, lists its days")
        if list(self.days) != sorted(set(self.days)):
            raise ValueError("days are listed once each, in rising order")
        if not all_or_none(
            kind is ReminderKind.SUNSCREEN, self.first_day, self.last_day, self.rule
        ):
            raise ValueError(
                "a 'sunscreen' reminder, and only that, has first_day, last_day and rule"
            )
        if (
            self.first_day is not None
            and self.last_day is not None
            and (self.first_day > self.last_day)
        ):
            raise ValueError("first_day cannot come after last_day")
        ended = (self.avoid_ended_text, self.routine_ended_text)
        if not all_or_none(kind is ReminderKind.CHANGE, *ended):
            raise ValueError(
                "a 'change' reminder, and only that, has avoid_ended_text and routine_ended_text"
            )
        check_placeholders(self.text, REMINDER_PLACEHOLDERS[kind])
        check_placeholders(self.sms_text or "", REMINDER_PLACEHOLDERS[kind])
        check_placeholders(self.sms_more_text or "", frozenset({"count"}))
        if not self.alone and not self.combine:
            raise ValueError("an item not sent alone must combine with others")
        return self

    @property
    def local_time(self) -> time | None:
        return None if self.at is None else time.fromisoformat(self.at)
