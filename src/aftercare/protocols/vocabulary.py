"""What patients may type, folded once per protocol: the names behind "can I …?" questions.

Every name (activity, uncovered topic, ask-back word, red-flag symptom, time phrase) is
folded exactly as a question will be (:func:`aftercare.protocols.words.fold_words`), so a
lookup is a dictionary hit and a fuzzy comparison compares like with like.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from aftercare.protocols.words import fold_words

if TYPE_CHECKING:
    from aftercare.protocols.schema.asking import Asking, TimeWord
    from aftercare.protocols.schema.symptoms import Symptom
    from aftercare.protocols.schema.terms import Activity

__all__ = ["Target", "TargetKind", "TimePhrase", "Vocabulary"]


class TargetKind(StrEnum):
    ACTIVITY = "activity"
    TOPIC = "topic"
    ASK_BACK = "ask_back"


@dataclass(frozen=True, slots=True)
class Target:
    """What a name leads to: an activity, an uncovered topic, or an ask-back entry (by
    its position in ``asking.ask_back``)."""

    kind: TargetKind
    id: str


@dataclass(frozen=True, slots=True)
class TimePhrase:
    words: tuple[str, ...]
    text: str
    time_word: TimeWord


class Vocabulary:
    """The folded names of one protocol's ``asking`` section and its activities."""

    def __init__(
        self, activities: Iterable[Activity], symptoms: Iterable[Symptom], asking: Asking
    ) -> None:
        self.spellings = {key.casefold(): value for key, value in asking.spellings.items()}
        self.fillers = frozenset(w for f in asking.filler_words for w in self.fold(f))
        self.names: dict[tuple[str, ...], Target] = {}
        self.clashes: list[tuple[str, Target, Target]] = []
        for index, entry in enumerate(asking.ask_back):
            self._add(entry.words, Target(TargetKind.ASK_BACK, str(index)))
        for activity in activities:
            names = (activity.id.replace("_", " "), activity.label, *activity.aliases)
            self._add(names, Target(TargetKind.ACTIVITY, activity.id))
        for topic in asking.topics:
            self._add((topic.label, *topic.aliases), Target(TargetKind.TOPIC, topic.id))
        self.squeezed = {"".join(words): target for words, target in self.names.items()}
        self.choices = [" ".join(words) for words in self.names]
        self.choice_targets = list(self.names.values())
        self.red_flags = {
            self.content(words) or words: symptom.id
            for symptom in symptoms
            if symptom.red_flag
            for name in (symptom.label, *symptom.aliases)
            if (words := self.fold(name))
        }
        phrases = [
            TimePhrase(self.fold(text), text, time_word)
            for time_word in asking.time_words
            for text in time_word.words
        ]
        self.time_phrases = sorted(phrases, key=lambda p: -len(p.words))

    def fold(self, text: str) -> tuple[str, ...]:
        return fold_words(text, self.spellings)

    def content(self, words: Iterable[str]) -> tuple[str, ...]:
        """``words`` without the filler words of question frames ("can I", "is it ok to")."""
        return tuple(word for word in words if word not in self.fillers)

    def _add(self, names: Iterable[str], target: Target) -> None:
        for name in names:
            folded = self.fold(name)
            words = self.content(folded) or folded
            known = self.names.setdefault(words, target)
            if known != target and known.kind is not TargetKind.ASK_BACK:
                self.clashes.append((name, known, target))
