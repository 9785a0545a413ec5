"""The patient form: names and contact details as staff type them, checked before saving.

Messages go out only by a channel the patient has an address for and has agreed to, so
the form refuses a channel without its address or without consent rather than saving a
record that the reminders would silently skip.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django import forms

from aftercare.protocols.schema import Protocol
from aftercare.web.care.records import PatientInput
from aftercare.web.clinic.models import Channel, Patient
from aftercare.web.clinic.validators import validate_visible_text
from aftercare.web.phones import display, e164

__all__ = ["EARLIEST_BIRTH", "PatientForm"]

EARLIEST_BIRTH = date(1900, 1, 1)


class PatientForm(forms.ModelForm[Patient]):
    """Create or edit a patient; ``today`` is the clinic's calendar day, and ``protocol``
    the clinic's, whose course gives the lengths a course may be planned with."""

    class Meta:
        model = Patient
        fields = (
            "given_name",
            "family_name",
            "date_of_birth",
            "email",
            "mobile",
            "preferred_channel",
            "consent_to_messages",
            "course_sessions",
        )
        labels: ClassVar[dict[str, str]] = {
            "given_name": "Given name",
            "family_name": "Family name",
            "date_of_birth": "Date of birth",
            "email": "Email address",
            "mobile": "Mobile number",
            "preferred_channel": "Preferred channel",
            "consent_to_messages": "The patient consents to messages about their aftercare",
        }
        help_texts: ClassVar[dict[str, str]] = {
            "preferred_channel": "How reminders and links are sent to the patient.",
            "mobile": "UK or international, for example 07700 900456 or +44 7700 900456.",
        }
        widgets: ClassVar[dict[str, Any]] = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, today: date, protocol: Protocol, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["course_sessions"] = _course_sessions_field(protocol)
        for name in ("given_name", "family_name", "email", "mobile"):
            self.fields[name].validators.append(validate_visible_text)
        self.fields["given_name"].widget.attrs["autocomplete"] = "off"
        self.fields["family_name"].widget.attrs["autocomplete"] = "off"
        self.fields["mobile"].widget.attrs["inputmode"] = "tel"
        if self.instance.mobile and not self.is_bound:
            self.initial["mobile"] = display(self.instance.mobile)

    def clean_given_name(self) -> str:
        return str(self.cleaned_data["given_name"]).strip()

    def clean_family_name(self) -> str:
        return str(self.cleaned_data["family_name"]).strip()

    def clean_date_of_birth(self) -> date | None:
        born: date | None = self.cleaned_data["date_of_birth"]
        if born is not None and born > self.today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born is not None and born < EARLIEST_BIRTH:
            raise forms.ValidationError("The date of birth cannot be before 1900.")
        return born

    def clean_mobile(self) -> str:
        """Stored as E.164 ("+447700900123"), so a patient asking for a new link by any
        spelling of their number matches it exactly."""
        typed = str(self.cleaned_data["mobile"]).strip()
        if not typed:
            return ""
        mobile = e164(typed, mobile=True)
        if mobile is None:
            raise forms.ValidationError(
                "Enter a mobile number such as 07700 900123, or +44 7700 900123; "
                "numbers from outside the UK start with + and the country code."
            )
        return mobile

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        channel = cleaned.get("preferred_channel")
        if channel == Channel.EMAIL and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "Give an email address to send messages by email.")
        if channel == Channel.SMS and not cleaned.get("mobile") and "mobile" not in self.errors:
            self.add_error("mobile", "Give a mobile number to send text messages.")
        if channel in (Channel.EMAIL, Channel.SMS) and not cleaned.get("consent_to_messages"):
            self.add_error(
                "consent_to_messages",
                "Messages are not sent without the patient's agreement: tick this box, "
                "or choose 'No messages'.",
            )
        return cleaned

    def to_input(self) -> PatientInput:
        """The valid form as the care layer takes it."""
        data = self.cleaned_data
        return PatientInput(**{name: data[name] for name in self.Meta.fields})


def _course_sessions_field(protocol: Protocol) -> forms.TypedChoiceField:
    course = protocol.course
    usual = ("", f"The usual course ({course.default_sessions} sessions)")
    return forms.TypedChoiceField(
        label="Sessions planned for the course",
        choices=[usual, *((n, f"{n} sessions") for n in course.plannable_sessions)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="The course is complete at this number; then maintenance is planned.",
    )
