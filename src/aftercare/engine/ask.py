"""Questions as patients type them ("can i have a glass of wine 2moro?"), answered from the plan.

One resolver for the command line, the portal and the API. It reads a question in four
steps, each from the protocol's ``asking`` data: a red flag goes to the urgent advice
first; a time phrase ("tomorrow morning") becomes the moment the answer is for, in the
treatment's zone; the words of question frames are dropped; what is left is matched to
an activity or a known topic, exactly first, then by fuzzy score (rapidfuzz).

It never guesses: two different answers competing, or a match below ``accept_score``,
asks the patient back; nothing close enough says it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from aftercare.engine.check import CheckResult, check
from aftercare.engine.errors import InputError, LocalTimeError
from aftercare.engine.localtime import elapsed, hours_between, local_datetime
from aftercare.engine.question_flags import red_flags_in
from aftercare.protocols.schema import Asking, Level, Protocol
from aftercare.protocols.vocabulary import Target, TargetKind, TimePhrase, Vocabulary

__all__ = ["AskOutcome", "AskResult", "ask"]

# Fuzzy scores are only taken for words long enough to be told apart ("wax" vs "was").
_FUZZY_MIN_LETTERS = 4
_LONGEST_NAME = 4


class AskOutcome(StrEnum):
    ANSWERED = "answered"
    TOPIC = "topic"
    URGENT = "urgent"
    ASK_BACK = "ask_back"
    NOT_UNDERSTOOD = "not_understood"


@dataclass(frozen=True, slots=True)
class AskResult:
    """What the resolver made of a question, with the check or topic behind the answer."""

    question: str
    outcome: AskOutcome
    hours_after: float
    asked_for: datetime | None = None
    asked_for_hours: float | None = None
    time_words: str | None = None
    time_unplaced: bool = False
    check: CheckResult | None = None
    topic: str | None = None
    suggestions: tuple[str, ...] = ()
    ask_back_text: str | None = None
    red_flags: tuple[str, ...] = ()
    urgent_level: Level | None = None

    @property
    def understood(self) -> bool:
        return self.outcome in {AskOutcome.ANSWERED, AskOutcome.TOPIC, AskOutcome.URGENT}


@dataclass(frozen=True, slots=True)
class _Match:
    target: Target
    score: float
    start: int


def ask(
    protocol: Protocol,
    question: str,
    hours_after: float,
    *,
    treated_at: datetime | None = None,
    skin: Mapping[str, bool] | None = None,
) -> AskResult:
    """Answer ``question`` ``hours_after`` the end of treatment.

    With ``treated_at`` (aware, in the patient's zone) time phrases become local moments;
    without it they cannot be placed, and the answer is for now, saying so.
    """
    asking, vocabulary = _asking(protocol)
    if hours_after < 0:
        raise InputError("hours after treatment cannot be negative")
    words = vocabulary.fold(question)
    base = AskResult(question=question, outcome=AskOutcome.NOT_UNDERSTOOD, hours_after=hours_after)
    flags = red_flags_in(protocol, " ".join(_outside_names(vocabulary.content(words), vocabulary)))
    if flags:
        return _urgent(protocol, base, flags)
    phrase, words = _time_phrase(words, vocabulary)
    base = _when(base, phrase, treated_at)
    matches = _matches(vocabulary.content(words), vocabulary, asking)
    return _decide(protocol, asking, base, matches, skin, treated_at)


def _asking(protocol: Protocol) -> tuple[Asking, Vocabulary]:
    vocabulary = protocol.index.vocabulary
    if protocol.asking is None or vocabulary is None:
        raise InputError("this protocol has no 'asking' section, so it cannot read questions")
    return protocol.asking, vocabulary


def _outside_names(words: tuple[str, ...], vocabulary: Vocabulary) -> tuple[str, ...]:
    """The words not inside a longer activity or topic name, so that "pain killer" is a
    topic and not the symptom "pain"."""
    covered = _exact_spans(words, vocabulary, min_length=2)
    return tuple(word for i, word in enumerate(words) if i not in covered)


def _urgent(protocol: Protocol, base: AskResult, flags: tuple[str, ...]) -> AskResult:
    symptoms = protocol.index.symptoms
    level = max((symptoms[flag].level for flag in flags), key=lambda level: level.rank)
    return _replace(base, outcome=AskOutcome.URGENT, red_flags=flags, urgent_level=level)


def _time_phrase(
    words: tuple[str, ...], vocabulary: Vocabulary
) -> tuple[TimePhrase | None, tuple[str, ...]]:
    """The longest time phrase in ``words``, and the words without it."""
    for phrase in vocabulary.time_phrases:
        size = len(phrase.words)
        for start in range(len(words) - size + 1):
            if words[start : start + size] == phrase.words:
                return phrase, words[:start] + words[start + size :]
    return None, words


def _when(base: AskResult, phrase: TimePhrase | None, treated_at: datetime | None) -> AskResult:
    if phrase is None:
        return base
    if treated_at is None:
        return _replace(base, time_words=phrase.text, time_unplaced=True)
    moment = _moment(phrase, elapsed(treated_at, base.hours_after))
    if moment is None:
        return _replace(base, time_words=phrase.text, time_unplaced=True)
    hours = hours_between(treated_at, moment)
    return _replace(base, time_words=phrase.text, asked_for=moment, asked_for_hours=hours)


def _moment(phrase: TimePhrase, now: datetime) -> datetime | None:
    """The local moment a time phrase means, never earlier than ``now``."""
    word = phrase.time_word
    today = now.date()
    if word.days_ahead is not None:
        day = today + timedelta(days=word.days_ahead)
    else:
        ahead = ((word.weekday or 0) - today.weekday()) % 7
        day = today + timedelta(days=ahead or (7 if word.after_today else 0))
    try:
        # A wall time that a clock change skips or repeats cannot be the answer's moment.
        moment = local_datetime(datetime.combine(day, word.local_time), now.tzinfo)  # type: ignore[arg-type]
    except LocalTimeError:
        return None
    return max(moment, now)


def _exact_spans(words: tuple[str, ...], vocabulary: Vocabulary, min_length: int = 1) -> set[int]:
    return {
        i
        for match, size in _exact(words, vocabulary, min_length)
        for i in range(match.start, match.start + size)
    }


def _exact(
    words: tuple[str, ...], vocabulary: Vocabulary, min_length: int = 1
) -> list[tuple[_Match, int]]:
    """Names found word for word, longest first; a word belongs to one name only."""
    found: list[tuple[_Match, int]] = []
    taken: set[int] = set()
    for size in range(min(_LONGEST_NAME, len(words)), min_length - 1, -1):
        for start in range(len(words) - size + 1):
            span = range(start, start + size)
            if taken.intersection(span):
                continue
            key = words[start : start + size]
            target = vocabulary.names.get(key) or vocabulary.squeezed.get("".join(key))
            if target is not None:
                found.append((_Match(target, 100.0, start), size))
                taken.update(span)
    return found


def _matches(words: tuple[str, ...], vocabulary: Vocabulary, asking: Asking) -> list[_Match]:
    """Exact names, then fuzzy matches for the words left over, best score per target."""
    # Imported here: commands that only check or explain (which imports this module) need
    # no fuzzy matching, and rapidfuzz takes a noticeable part of their start.
    from rapidfuzz import fuzz, process

    exact = _exact(words, vocabulary)
    taken = {i for match, size in exact for i in range(match.start, match.start + size)}
    best: dict[Target, _Match] = {match.target: match for match, _ in exact}
    for start, size in _free_spans(len(words), taken):
        text = " ".join(words[start : start + size])
        if len(text.replace(" ", "")) < _FUZZY_MIN_LETTERS:
            continue
        for _, score, index in process.extract(
            text, vocabulary.choices, scorer=fuzz.ratio, score_cutoff=asking.suggest_score, limit=5
        ):
            target = vocabulary.choice_targets[index]
            if target not in best or best[target].score < score:
                best[target] = _Match(target, score, start)
    return sorted(best.values(), key=lambda match: (-match.score, match.start))


def _free_spans(count: int, taken: set[int]) -> list[tuple[int, int]]:
    return [
        (start, size)
        for size in range(1, min(3, count) + 1)
        for start in range(count - size + 1)
        if not taken.intersection(range(start, start + size))
    ]


def _decide(
    protocol: Protocol,
    asking: Asking,
    base: AskResult,
    matches: list[_Match],
    skin: Mapping[str, bool] | None,
    treated_at: datetime | None,
) -> AskResult:
    sure = [m for m in matches if m.score >= asking.accept_score]
    if not sure:
        offered = tuple(_suggestions(protocol, matches))[:3]
        outcome = AskOutcome.ASK_BACK if offered else AskOutcome.NOT_UNDERSTOOD
        return _replace(base, outcome=outcome, suggestions=offered)
    targets = _distinct(protocol, sorted(sure, key=lambda m: m.start))
    if len(targets) > 1:
        return _replace(
            base, outcome=AskOutcome.ASK_BACK, suggestions=tuple(_ids(protocol, targets))
        )
    target = targets[0]
    if target.kind is TargetKind.ASK_BACK:
        entry = asking.ask_back[int(target.id)]
        return _replace(
            base,
            outcome=AskOutcome.ASK_BACK,
            suggestions=entry.activities,
            ask_back_text=entry.text,
        )
    if target.kind is TargetKind.TOPIC:
        return _replace(base, outcome=AskOutcome.TOPIC, topic=target.id)
    hours = base.asked_for_hours if base.asked_for_hours is not None else base.hours_after
    result = check(protocol, target.id, hours, skin=skin, treated_at=treated_at)
    return _replace(base, outcome=AskOutcome.ANSWERED, check=result)


def _distinct(protocol: Protocol, matches: list[_Match]) -> list[Target]:
    """The different answers among ``matches``: activities under one rule give one answer,
    so "sauna or steam room" is answered, while "makeup after the gym" is asked back."""
    rules = protocol.index.activity_rules
    targets: list[Target] = []
    answers: set[str] = set()
    for match in matches:
        target = match.target
        key = rules[target.id].id if target.kind is TargetKind.ACTIVITY else f"{target}"
        if key not in answers:
            answers.add(key)
            targets.append(target)
    return targets


def _ids(protocol: Protocol, targets: list[Target]) -> list[str]:
    ids: list[str] = []
    for target in targets:
        if target.kind is TargetKind.ASK_BACK:
            ids += protocol.asking.ask_back[int(target.id)].activities if protocol.asking else ()
        else:
            ids.append(target.id)
    return list(dict.fromkeys(ids))


def _suggestions(protocol: Protocol, matches: list[_Match]) -> list[str]:
    return _ids(protocol, [match.target for match in matches])


def _replace(result: AskResult, **changes: object) -> AskResult:
    return replace(result, **changes)  # type: ignore[arg-type]
