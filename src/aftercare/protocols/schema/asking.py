"""Asking: how "can I …?" questions are read, as patients type them."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import Field, model_validator

from aftercare.protocols.schema.base import (
    Cited,
    Id,
    Strict,
    Text,
    WallTime,
    check_placeholders,
)

__all__ = ["AskBack", "AskPhrases", "AskTopic", "Asking", "TimeWord"]

Name = Annotated[str, Field(min_length=1, max_length=60)]
Score = Annotated[int, Field(ge=50, le=100)]


class AskTopic(Cited):
    """A subject patients ask about that the leaflets do not cover, with an honest answer."""

    id: Id
    label: Text
    aliases: tuple[Name, ...] = ()
    text: Text


class AskBack(Strict):
    """Words that could mean more than one activity: the question goes back to the patient."""

    words: Annotated[tuple[Name, ...], Field(min_length=1)]
    activities: Annotated[tuple[Id, ...], Field(min_length=2)]
    text: Text


class TimeWord(Strict):
    """A time phrase ("tomorrow morning") and the local moment it means: a number of days
    ahead or the next given weekday (Monday is 0), at a wall-clock time."""

    words: Annotated[tuple[Name, ...], Field(min_length=1)]
    days_ahead: Annotated[int, Field(ge=0, le=31)] | None = None
    weekday: Annotated[int, Field(ge=0, le=6)] | None = None
    after_today: bool = False
    at: WallTime

    @model_validator(mode="after")
    def _one_day(self) -> TimeWord:
        if (self.days_ahead is None) == (self.weekday is None):
            raise ValueError("a time word gives days_ahead or weekday, not both")
        if self.after_today and self.weekday is None:
            raise ValueError("after_today goes with a weekday")
        return self

    @property
    def local_time(self) -> time:
        return time.fromisoformat(self.at)


class AskPhrases(Strict):
    """The resolver's own words, so that a language is data."""

    not_understood: Text
    ask_back: Text
    or_word: Text
    time_unplaced: Text
    urgent: Text

    @model_validator(mode="after")
    def _placeholders(self) -> AskPhrases:
        check_placeholders(self.not_understood, frozenset({"question"}))
        check_placeholders(self.ask_back, frozenset({"options"}))
        check_placeholders(self.time_unplaced, frozenset({"words"}))
        check_placeholders(self.urgent, frozenset({"symptoms"}))
        return self


class Asking(Strict):
    """How free-text questions are read: words to skip, spellings to mend, how sure a
    fuzzy match must be to answer (``accept_score``) or to be offered (``suggest_score``)."""

    accept_score: Score
    suggest_score: Score
    filler_words: tuple[Name, ...] = ()
    spellings: dict[str, str] = Field(default_factory=dict)
    ask_back: tuple[AskBack, ...] = ()
    topics: tuple[AskTopic, ...] = ()
    time_words: tuple[TimeWord, ...] = ()
    phrases: AskPhrases

    @model_validator(mode="after")
    def _scores(self) -> Asking:
        if self.suggest_score > self.accept_score:
            raise ValueError("suggest_score cannot be above accept_score")
        return self
