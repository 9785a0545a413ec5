"""Red flags in a typed question: the symptoms a patient's words name that need a clinician.

Until the triage's own reading of free text (red-flag phrases in the protocol) is on main,
the resolver reads questions with this; swapping that in is this one function's body.

The names are the protocol's (every red-flag symptom's label and aliases), folded as
questions are, and found word for word or, for words long enough to tell apart, by a
fuzzy score at the protocol's ``accept_score`` ("bleding" is still bleeding). Reading
more than was meant errs towards the urgent advice, which is the safe side.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from aftercare.protocols.schema import Protocol

__all__ = ["red_flags_in"]

_FUZZY_MIN_LETTERS = 6


def red_flags_in(protocol: Protocol, text: str) -> tuple[str, ...]:
    """The ids of the red-flag symptoms ``text`` names, in the order first named."""
    vocabulary = protocol.index.vocabulary
    if vocabulary is None or protocol.asking is None:
        return ()
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
    return tuple(dict.fromkeys(found[start] for start in sorted(found)))
