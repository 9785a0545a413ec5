"""Read what a patient writes for the symptoms it reports: the protocol's red-flag phrases.

``match_red_flags(protocol, text)`` is the one place free text is read for symptoms: the
check-in's triage calls it, and so should anything else that takes words from a patient (a
question such as "my skin is oozing, can I wear makeup?" must reach the urgent advice first).

A phrase matches when its words appear in the text in the same order, each a whole word,
with at most ``MAX_GAP`` other words between two of them: "my lips are swollen" reads as
"lips swollen", "swelling of my tongue" as "swelling tongue". Case, apostrophes ("can't",
"cant") and invisible characters (zero-width spaces, direction overrides, which could hide a
word from the reader) do not matter. Negation is not understood: "no pus" matches "pus", so a
person reads it rather than the engine guessing that all is well.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from aftercare.protocols.schema import Level, Protocol

__all__ = ["MAX_GAP", "RedFlagMatch", "match_red_flags", "visible_words"]

# At most this many other words between two words of a phrase.
MAX_GAP = 3
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc`")


@dataclass(frozen=True, slots=True)
class RedFlagMatch:
    """A symptom that free text reports: its id, the protocol phrase found, and the level
    the symptom takes outside any expected window."""

    symptom: str
    label: str
    phrase: str
    level: Level


def match_red_flags(protocol: Protocol, text: str) -> tuple[RedFlagMatch, ...]:
    """The symptoms whose phrases ``text`` contains, most urgent first, then in protocol
    order; one match per symptom (its first phrase found). Empty when nothing matches."""
    words = visible_words(text)
    if not words:
        return ()
    found = [
        RedFlagMatch(symptom.id, symptom.label, phrase, symptom.level)
        for symptom in protocol.symptoms
        if (phrase := _first_phrase(symptom.phrases, words)) is not None
    ]
    return tuple(sorted(found, key=lambda match: -match.level.rank))


def visible_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` folded for matching: lower case, without apostrophes, and with
    invisible characters (Unicode Cc and Cf) taken out rather than splitting a word."""
    visible = "".join(
        " " if character in "\n\r\t" else character
        for character in text
        if character in "\n\r\t" or unicodedata.category(character) not in {"Cc", "Cf"}
    )
    return tuple(_WORD.findall(visible.casefold().translate(_APOSTROPHES)))


def _first_phrase(phrases: tuple[str, ...], words: tuple[str, ...]) -> str | None:
    return next((phrase for phrase in phrases if _contains(words, visible_words(phrase))), None)


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """``phrase``'s words in order in ``words``, at most MAX_GAP others between two of them."""
    if not phrase:
        return False
    starts = (i for i, word in enumerate(words) if word == phrase[0])
    return any(_rest_follows(words, start, phrase[1:]) for start in starts)


def _rest_follows(words: tuple[str, ...], at: int, rest: tuple[str, ...]) -> bool:
    for wanted in rest:
        window = words[at + 1 : at + 2 + MAX_GAP]
        if wanted not in window:
            return False
        at += 1 + window.index(wanted)
    return True
