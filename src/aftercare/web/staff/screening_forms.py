"""The screening form, built from the protocol's questionnaire rather than written out here.

Each question's kind decides its field: yes/no questions must be answered, dates may be
left blank for "never" and cannot be in the future, and a "date or taking it now"
question is a date plus a box to tick. The answers come out keyed by question id, in the
shape ``engine.screening.screen`` takes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from aftercare.engine.screening import CURRENT, Answer
from aftercare.protocols.schema import Protocol, Question
from aftercare.web.clinic.validators import validate_visible_text

__all__ = ["CURRENT_SUFFIX", "ScreeningForm", "choice_label"]

CURRENT_SUFFIX = "__current"
MAX_TEXT_LENGTH = 500
YES_NO = (("yes", "Yes"), ("no", "No"))
ROMAN = ("i", "ii", "iii", "iv", "v", "vi")


class ScreeningForm(forms.Form):
    """One field per question of ``protocol``; ``today`` is the clinic's calendar day."""

    def __init__(self, *args: Any, protocol: Protocol, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        self.today = today
        for question in protocol.screening.questions:
            self.fields[question.id] = _field(question)
            if question.kind == "date_or_current":
                self.fields[question.id + CURRENT_SUFFIX] = forms.BooleanField(
                    required=False, label="Taking it now"
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for question in self.protocol.screening.questions:
            if question.kind not in ("date", "date_or_current"):
                continue
            day = cleaned.get(question.id)
            if isinstance(day, date) and day > self.today:
                self.add_error(question.id, "This date is in the future.")
            elif day is not None and cleaned.get(question.id + CURRENT_SUFFIX):
                self.add_error(
                    question.id,
                    "Give the date of the last dose, or tick 'Taking it now', not both.",
                )
        return cleaned

    def answers(self) -> dict[str, Answer]:
        """The answers by question id; None for one not answered ("never" for a date)."""
        return {q.id: self._answer(q) for q in self.protocol.screening.questions}

    def _answer(self, question: Question) -> Answer:
        value = self.cleaned_data.get(question.id)
        if question.kind == "yes_no":
            return value == "yes"
        if question.kind == "date_or_current" and self.cleaned_data.get(
            question.id + CURRENT_SUFFIX
        ):
            return CURRENT
        if value is None or isinstance(value, date):
            return value
        return str(value).strip() or None


def _field(question: Question) -> forms.Field:
    label = question.text
    if question.kind == "yes_no":
        return forms.ChoiceField(
            label=label, choices=YES_NO, initial="no", widget=forms.RadioSelect
        )
    if question.kind in ("date", "date_or_current"):
        return forms.DateField(
            label=label,
            required=False,
            help_text="Leave blank if never.",
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
    if question.kind == "choice":
        choices = [("", "Not answered"), *((c, choice_label(c)) for c in question.choices)]
        return forms.ChoiceField(label=label, choices=choices, required=False)
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT_LENGTH,
        help_text="Leave blank if none.",
        validators=[validate_visible_text],
    )


def choice_label(choice: str) -> str:
    """'IV' for a skin type, 'Uncontrolled' for other choice ids."""
    if choice in ROMAN:
        return choice.upper()
    return choice.replace("_", " ").capitalize()
