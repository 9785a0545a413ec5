"""The portal's forms: asking for a new link, "can I …?", and the symptom check-in.

Whatever a patient types comes back to them with the error beside it; nothing is lost, and
nothing they type can reach the engine unchecked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.forms.boundfield import BoundField, BoundWidget
from django.http import QueryDict

from aftercare.engine.triage import Severity as EngineSeverity
from aftercare.protocols.schema import Protocol
from aftercare.web.clinic.models import Channel, Severity, Trend
from aftercare.web.clinic.validators import validate_visible_text
from aftercare.web.phones import e164

__all__ = [
    "CanIForm",
    "CheckInForm",
    "Contact",
    "NewLinkForm",
    "SendQuestionForm",
    "parse_contact",
]

MAX_CONTACT = 254
MAX_QUESTION = 200
MAX_SENT_QUESTION = 500
MAX_FREE_TEXT = 2000


@dataclass(frozen=True, slots=True)
class Contact:
    """An email address (lower case) or a mobile number (E.164, as patients' are stored)."""

    channel: Channel
    value: str


def parse_contact(text: str) -> Contact | None:
    """The contact ``text`` stands for, or None when it is neither an email nor a phone."""
    text = text.strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            return None
        return Contact(Channel.EMAIL, text.lower())
    number = e164(text, mobile=True)
    return None if number is None else Contact(Channel.SMS, number)


class NewLinkForm(forms.Form):
    contact = forms.CharField(
        label="Your email address or mobile number",
        max_length=MAX_CONTACT,
        validators=[validate_visible_text],
        error_messages={"required": "Type the email address or mobile number your clinic has."},
    )

    def clean_contact(self) -> Contact:
        contact = parse_contact(self.cleaned_data["contact"])
        if contact is None:
            raise ValidationError(
                "That is not an email address or a mobile number; "
                "try name@example.com or 07700 900123."
            )
        return contact


class CanIForm(forms.Form):
    q = forms.CharField(
        label="Can I …?",
        max_length=MAX_QUESTION,
        validators=[validate_visible_text],
        error_messages={
            "required": "Type what you would like to do, for example “gym” or “makeup”.",
            "max_length": (
                f"Please keep it short: at most {MAX_QUESTION} characters, "
                "for example “gym” or “makeup”."
            ),
        },
    )


class SendQuestionForm(forms.Form):
    question = forms.CharField(
        label="Your question",
        max_length=MAX_SENT_QUESTION,
        validators=[validate_visible_text],
        error_messages={
            "required": "Type your question for the clinic.",
            "max_length": f"Please keep it to {MAX_SENT_QUESTION} characters.",
        },
    )


def severity_field(symptom_id: str) -> str:
    return f"severity_{symptom_id}"


class CheckInForm(forms.Form):
    symptoms = forms.MultipleChoiceField(
        label="What do you notice?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    trend = forms.ChoiceField(
        label="Since you last looked, is it",
        choices=Trend.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    free_text = forms.CharField(
        label="Anything else, in your own words (your clinic reads this)",
        required=False,
        max_length=MAX_FREE_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_visible_text],
    )
    # One per page shown: sending the same page twice (a retry after a lost answer, a
    # double tap) records one check-in.
    idempotency_key = forms.RegexField(
        regex=r"^[\x21-\x7e]{1,100}$", required=False, widget=forms.HiddenInput
    )

    def __init__(self, protocol: Protocol, data: QueryDict | None = None) -> None:
        super().__init__(data, initial={"idempotency_key": secrets.token_urlsafe(16)})
        field = cast(forms.MultipleChoiceField, self.fields["symptoms"])
        field.choices = [(symptom.id, symptom.label) for symptom in protocol.symptoms]
        # "How bad?" for each symptom whose level depends on it (the protocol's if_severe).
        self.graded = tuple(s.id for s in protocol.symptoms if s.if_severe is not None)
        for symptom_id in self.graded:
            self.fields[severity_field(symptom_id)] = forms.ChoiceField(
                label="How bad is it?",
                choices=Severity.choices,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": "Choose mild, moderate or severe."},
            )

    def symptom_rows(self) -> list[tuple[BoundWidget, BoundField | None]]:
        """Each symptom's box with, when it has one, the "how bad" choice under it."""
        return [
            (
                box,
                self[severity_field(box.data["value"])]
                if box.data["value"] in self.graded
                else None,
            )
            for box in self["symptoms"]
        ]

    def clean(self) -> dict[str, object]:
        """Something to triage: a ticked symptom, with how it is going, or words.

        How bad a symptom is counts only with its box ticked: the choice is hidden again
        when a patient unticks the box, and what they took back is not reported.
        """
        data = super().clean() or {}
        if self.errors:
            return data
        ticked = data.get("symptoms") or []
        data["severities"] = {
            symptom_id: EngineSeverity(value)
            for symptom_id in self.graded
            if symptom_id in ticked and (value := data.get(severity_field(symptom_id)))
        }
        if not data.get("symptoms") and not data.get("free_text", "").strip():
            self.add_error("symptoms", "Tick at least one thing you notice, or write it below.")
        elif data.get("symptoms") and not data.get("trend"):
            self.add_error("trend", "Choose whether it is getting better, the same or worse.")
        return data
