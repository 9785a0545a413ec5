"""The patient form: names and contact details as staff type them, checked before saving
by the care layer's rules (``care.patients``): a message channel needs its address and the
patient's consent, a mobile number is kept in E.164.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from django import forms

from aftercare.protocols.schema import Protocol
from aftercare.web.care.patients import (
    NOT_A_MOBILE,
    PatientInput,
    birth_problem,
    channel_problems,
    mobile_number,
)
from aftercare.web.clinic.models import Patient, PlannedCourse
from aftercare.web.clinic.validators import validate_visible_text
from aftercare.web.phones import display

__all__ = ["PatientForm", "sessions_field"]


class PatientForm(forms.ModelForm[Patient]):
    """Create or edit a patient; ``today`` is the clinic's calendar day, and ``protocols``
    those of the procedures the clinic performs: each course's length is chosen among
    those its own protocol plans."""

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

    def __init__(
        self, *args: Any, today: date, protocols: Sequence[Protocol], **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.today = today
        self.protocols = tuple(protocols)
        planned = PlannedCourse.of(self.instance) if self.instance.pk else {}
        for protocol in self.protocols:
            name = sessions_field(protocol.id)
            self.fields[name] = _course_sessions_field(protocol, len(self.protocols) > 1)
            self.initial.setdefault(name, planned.get(protocol.id))
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
        problem = birth_problem(born, self.today)
        if problem is not None:
            raise forms.ValidationError(problem)
        return born

    def clean_mobile(self) -> str:
        mobile = mobile_number(str(self.cleaned_data["mobile"]))
        if mobile is None:
            raise forms.ValidationError(NOT_A_MOBILE)
        return mobile

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field, problem in channel_problems(
            cleaned.get("preferred_channel") or "",
            cleaned.get("email") or "",
            cleaned.get("mobile") or "",
            bool(cleaned.get("consent_to_messages")),
            frozenset(self.errors),
        ):
            self.add_error(field, problem)
        return cleaned

    def to_input(self) -> PatientInput:
        """The valid form as the care layer takes it."""
        data = self.cleaned_data
        courses = {p.id: data[sessions_field(p.id)] for p in self.protocols}
        return PatientInput(**{name: data[name] for name in self.Meta.fields}, courses=courses)


def sessions_field(procedure: str) -> str:
    """The name of the field of the sessions planned for the course of ``procedure``."""
    return f"sessions_{procedure}"


def _course_sessions_field(protocol: Protocol, named: bool) -> forms.TypedChoiceField:
    """The lengths ``protocol`` plans a course with; ``named``: the label names the
    procedure, for a clinic that performs more than one."""
    course = protocol.course
    usual = ("", f"The usual course ({course.default_sessions} sessions)")
    label = "Sessions planned for the course"
    return forms.TypedChoiceField(
        label=f"{label}: {protocol.procedure}" if named else label,
        choices=[usual, *((n, f"{n} sessions") for n in course.plannable_sessions)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="The course is complete at this number; then maintenance is planned.",
    )
