"""The form a practitioner fills in to mark a check-in as reviewed."""

from __future__ import annotations

from django import forms

from aftercare.web.clinic.validators import validate_visible_text

__all__ = ["NOTE_MAX_LENGTH", "ReviewForm"]

NOTE_MAX_LENGTH = 2000


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="What did you do? (for example: called the patient, booked a review)",
        max_length=NOTE_MAX_LENGTH,
        validators=[validate_visible_text],
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Please say what you did about this check-in."},
    )
