"""Fold free text into comparable words, the same way for questions and for protocol names.

A question ("Can I have a glass of wine 2moro?") and a name in the protocol ("wine") go
through the same folding: case, accents kept, punctuation to spaces, the protocol's spelling
mends ("2moro" → "tomorrow"), then a light plural fold ("glasses" → "glasse",
"eyebrows" → "eyebrow"). Because both sides are folded alike, the fold needs to be
consistent, not linguistically right.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["fold_words", "joined"]

# Letters (any script) and digits stay; everything else separates words. Apostrophes are
# dropped first so that "can't" stays one word.
_SEPARATORS = re.compile(r"[^\w]+|_")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`")


def fold_words(text: str, spellings: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The words of ``text``, folded for comparison."""
    raw = _SEPARATORS.sub(" ", text.casefold().translate(_APOSTROPHES)).split()
    mended: list[str] = []
    for word in raw:
        replacement = spellings.get(word, word) if spellings else word
        mended.extend(replacement.casefold().split())
    return tuple(_singular(word) for word in mended)


def joined(words: tuple[str, ...]) -> str:
    """Words as one string for fuzzy comparison."""
    return " ".join(words)


def _singular(word: str) -> str:
    # Folded alike on both sides, so "ies"/"s" stripping only has to be consistent.
    if len(word) <= 3 or word.endswith("ss") or word.isdigit():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s"):
        return word[:-1]
    return word
