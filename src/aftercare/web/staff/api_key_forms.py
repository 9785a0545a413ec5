"""Forms for a clinic's API keys: a new key's name and access, and which key to revoke.

The name is checked by the care layer (``name_problem``), as the command line's is, so a
name the web page refuses is refused there too, with the same words.
"""

from __future__ import annotations

from django import forms

from aftercare.web.care.api_keys import NAME_MAX_LENGTH, name_problem
from aftercare.web.clinic.models import Access

__all__ = ["ApiKeyCreateForm", "ApiKeyRevokeForm"]


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": NAME_MAX_LENGTH, "required": True}),
        help_text="What uses the key, for example 'Booking system'.",
    )
    access = forms.ChoiceField(
        label="Access",
        choices=Access.choices,
        initial=Access.READ,
        widget=forms.RadioSelect,
        help_text="Read and write lets the system change the clinic's records.",
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        problem = name_problem(name)
        if problem is not None:
            raise forms.ValidationError(problem)
        return name


class ApiKeyRevokeForm(forms.Form):
    key = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
