"""The screening form, built from the protocol's questionnaire rather than written out here.

Nothing starts answered: a yes/no question is two radio buttons with neither checked, a
date question is a date or a "Never" box (plus "Taking it now" where that is an answer),
a choice starts at "Not asked yet" and free text is blank. Whatever is left so stays
unanswered (None), never "No", and the engine calls the screening incomplete. Dates
cannot be in the future. The answers come out keyed by question id, in the shape
``engine.screening.screen`` takes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from aftercare.engine.screening import CURRENT, NEVER, Answer
from aftercare.protocols.schema import Protocol, Question
from aftercare.web.clinic.validators import validate_visible_text

__all__ = ["CURRENT_SUFFIX", "NEVER_SUFFIX", "ScreeningForm"]

CURRENT_SUFFIX = "__current"
NEVER_SUFFIX = "__never"
DATE_KINDS = ("date", "date_or_current")
MAX_TEXT_LENGTH = 500
YES_NO = (("yes", "Yes"), ("no", "No"))


class ScreeningForm(forms.Form):
    """One field per question of ``protocol``; ``today`` is the clinic's calendar day."""

    def __init__(self, *args: Any, protocol: Protocol, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        self.today = today
        for question in protocol.screening.questions:
            self.fields[question.id] = _field(question)
            if question.kind in DATE_KINDS:
                self.fields[question.id + NEVER_SUFFIX] = _box("Never", question)
            if question.kind == "date_or_current":
                self.fields[question.id + CURRENT_SUFFIX] = _box("Taking it now", question)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for question in self.protocol.screening.questions:
            if question.kind not in DATE_KINDS:
                continue
            day = cleaned.get(question.id)
            ticked = [
                label
                for suffix, label in (
                    (NEVER_SUFFIX, "'Never'"),
                    (CURRENT_SUFFIX, "'Taking it now'"),
                )
                if cleaned.get(question.id + suffix)
            ]
            if isinstance(day, date) and day > self.today:
                self.add_error(question.id, "This date is in the future.")
            elif (day is not None) + len(ticked) > 1:
                ways = "a date, 'Never' or 'Taking it now'"
                if question.kind == "date":
                    ways = "a date or 'Never'"
                self.add_error(question.id, f"Give one answer: {ways}, not both.")
        return cleaned

    def answers(self) -> dict[str, Answer]:
        """The answers by question id; None for a question left unanswered."""
        return {q.id: self._answer(q) for q in self.protocol.screening.questions}

    def _answer(self, question: Question) -> Answer:
        value = self.cleaned_data.get(question.id)
        if question.kind == "yes_no":
            return {"yes": True, "no": False}.get(value or "")
        if self.cleaned_data.get(question.id + CURRENT_SUFFIX):
            return CURRENT
        if self.cleaned_data.get(question.id + NEVER_SUFFIX):
            return NEVER
        if value is None or isinstance(value, date):
            return value
        return str(value).strip() or None


def _box(label: str, question: Question) -> forms.BooleanField:
    """A tick box answering a date question. Its visible label is short ("Never"), so
    its accessible name carries the question too: a screen reader moving from box to box
    hears which question each "Never" answers."""
    return forms.BooleanField(
        required=False,
        label=label,
        widget=forms.CheckboxInput(attrs={"aria-label": f"{label}: {question.text}"}),
    )


def _field(question: Question) -> forms.Field:
    label = question.text
    if question.kind == "yes_no":
        # Neither button checked: a question nobody asked must not read as "No".
        return forms.ChoiceField(
            label=label, choices=YES_NO, required=False, widget=forms.RadioSelect
        )
    if question.kind in DATE_KINDS:
        return forms.DateField(
            label=label,
            required=False,
            help_text="Give the date, or tick one box below; left blank, it is still to ask.",
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
    if question.kind == "choice":
        labelled = ((choice, question.choice_label(choice)) for choice in question.choices)
        choices = [("", "Not asked yet"), *labelled]
        return forms.ChoiceField(label=label, choices=choices, required=False)
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT_LENGTH,
        help_text='Write "none" if there is none; left blank, it is still to ask.',
        validators=[validate_visible_text],
    )
