"""Red flags in a typed question: the symptoms a patient's words name that need a clinician.

A question is read as a check-in's words are, by the triage's reader of free text
(``red_flags.match_red_flags``: the protocol's red-flag phrases, in order, a few words
apart), so "my skin is oozing, can I wear makeup?" reaches the urgent advice as the same
words written in a check-in would. Questions are typed fast, so the symptoms' names are
also looked for (every red-flag symptom's label and aliases, folded as questions are),
word for word or, for words long enough to tell apart, by a fuzzy score at the protocol's
``accept_score`` ("bleding" is still bleeding). Reading more than was meant errs towards
the urgent advice, which is the safe side.
"""

from __future__ import annotations

from aftercare.engine.red_flags import match_red_flags
from aftercare.protocols.schema import Protocol

__all__ = ["red_flags_in"]

_FUZZY_MIN_LETTERS = 6


def red_flags_in(protocol: Protocol, text: str) -> tuple[str, ...]:
    """The ids of the red-flag symptoms ``text`` names, in the order first named."""
    # Imported here, as in engine/ask: only a question or a check-in needs fuzzy matching.
    from rapidfuzz import fuzz, process

    vocabulary = protocol.index.vocabulary
    if vocabulary is None or protocol.asking is None:
        return ()
    red_flags = set(vocabulary.red_flags.values())
    phrased = [m.symptom for m in match_red_flags(protocol, text) if m.symptom in red_flags]
    words = vocabulary.content(vocabulary.fold(text))
    found: dict[int, str] = {}
    for names, symptom in vocabulary.red_flags.items():
        size = len(names)
        for start in range(len(words) - size + 1):
            if words[start : start + size] == names:
                found.setdefault(start, symptom)
    single = {
        names[0]: symptom
        for names, symptom in vocabulary.red_flags.items()
        if len(names) == 1 and len(names[0]) >= _FUZZY_MIN_LETTERS
    }
    for start, word in enumerate(words):
        if start in found or len(word) < _FUZZY_MIN_LETTERS:
            continue
        best = process.extractOne(
            word, list(single), scorer=fuzz.ratio, score_cutoff=protocol.asking.accept_score
        )
        if best is not None:
            found[start] = single[best[0]]
    named = (found[start] for start in sorted(found))
    return tuple(dict.fromkeys([*phrased, *named]))
