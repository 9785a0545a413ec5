"""The engine's errors. Each message is one sentence a person can act on."""

from __future__ import annotations

__all__ = ["AftercareError", "InputError", "LocalTimeError", "UnknownNameError"]


class AftercareError(ValueError):
    """Base class: bad input to the engine, never a bug."""


class InputError(AftercareError):
    """A value outside what the engine accepts (negative hours, an age of 400…)."""


class LocalTimeError(AftercareError):
    """A local time that does not exist, or happens twice, on that day in that zone."""


class UnknownNameError(AftercareError):
    """A name that matches no activity, symptom or area; carries close matches."""

    def __init__(self, kind: str, name: str, suggestions: tuple[str, ...]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {kind} '{name}'{hint}")
