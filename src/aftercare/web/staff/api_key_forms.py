"""Forms for a clinic's API keys: a new key's name and access, and which key to revoke.

The command line checks its input with the same form, so a name the web page refuses is
refused there too, with the same words.
"""

from __future__ import annotations

from django import forms

from aftercare.web.clinic.models import Access
from aftercare.web.clinic.validators import validate_one_line, validate_visible_text

__all__ = ["NAME_MAX_LENGTH", "ApiKeyCreateForm", "ApiKeyRevokeForm", "validate_one_line"]

NAME_MAX_LENGTH = 100


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX_LENGTH,
        validators=[validate_visible_text, validate_one_line],
        help_text="What uses the key, for example 'Booking system'.",
    )
    access = forms.ChoiceField(
        label="Access",
        choices=Access.choices,
        initial=Access.READ,
        widget=forms.RadioSelect,
        help_text="Read and write lets the system change the clinic's records.",
    )


class ApiKeyRevokeForm(forms.Form):
    key = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
