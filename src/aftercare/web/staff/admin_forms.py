"""Forms for clinic administrators: the clinic's settings and its staff.

The settings form edits the overlay of one procedure (``procedure``, microneedling unless
chosen) and checks it by building the effective protocol from it, the same way every page
will, so an overlay that saves is an overlay that works.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from aftercare.protocols.load import (
    DEFAULT_PROTOCOL,
    MAX_OVERLAY_BYTES,
    ProtocolError,
    ProtocolIssue,
)
from aftercare.protocols.schema import Protocol
from aftercare.web.clinic.branding import MAX_LOGO_BYTES, prepare_logo, validate_logo_size
from aftercare.web.clinic.models import Clinic, ClinicProcedure, Role, StaffMember, set_logo
from aftercare.web.clinic.session_limits import IDLE_MINUTES_RANGE, SESSION_HOURS_RANGE
from aftercare.web.clinic.validators import validate_visible_text
from aftercare.web.oncall import contacts_of, format_on_call, parse_on_call
from aftercare.web.protocol import (
    clinic_overlay,
    effective_protocol,
    forget_procedures,
    overlay_source,
)

__all__ = [
    "ClinicSettingsForm",
    "StaffCreateForm",
    "StaffEditForm",
    "describe_issue",
]

OVERLAY_MAX_LENGTH = MAX_OVERLAY_BYTES
TEXT_FIELDS = ("name", "phone", "urgent_phone")


def describe_issue(issue: ProtocolIssue) -> str:
    where = f"line {issue.line}: " if issue.line is not None else ""
    path = f"{issue.path}: " if issue.path else ""
    return f"{where}{path}{issue.message}"


class ClinicSettingsForm(forms.ModelForm[Clinic]):
    older_age_years = forms.IntegerField(
        label="Age from which a patient counts as older", min_value=40, max_value=100
    )
    screening_valid_days = forms.IntegerField(
        label="Days a screening stays valid", min_value=1, max_value=365
    )
    staff_idle_minutes = forms.IntegerField(
        label="Sign staff out after this many idle minutes",
        min_value=IDLE_MINUTES_RANGE[0],
        max_value=IDLE_MINUTES_RANGE[1],
    )
    staff_session_hours = forms.IntegerField(
        label="Sign staff out after this many hours in all",
        min_value=SESSION_HOURS_RANGE[0],
        max_value=SESSION_HOURS_RANGE[1],
    )
    overlay_yaml = forms.CharField(
        label="Protocol overlay (YAML)",
        required=False,
        strip=False,
        max_length=OVERLAY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text="Leave empty to use the standard protocol. Relaxing a rule needs a reason.",
    )
    on_call_text = forms.CharField(
        label="On-call contacts, one a line, in the order they are called",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=(
            "Name, UK mobile or email, and the hours they cover on the clinic's clock, for "
            "example: Dr Shah, 07700 900001, 08:00-20:00. An urgent check-in goes to the first "
            "contact on call at once, then to the next if nobody marks it reviewed in time, "
            "then to every clinic administrator."
        ),
    )
    alert_escalation_minutes = forms.IntegerField(
        label="Minutes before an unreviewed urgent check-in goes to the next contact",
        min_value=1,
        max_value=120,
    )
    logo = forms.FileField(
        label="Logo (PNG or JPEG)",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=(
            f"At most {MAX_LOGO_BYTES // 1024} KB. It is shown on printed leaflets and at the "
            "top of emails, shrunk to fit 600 by 240 pixels."
        ),
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = Clinic
        fields = (
            "name",
            "phone",
            "email",
            "urgent_phone",
            "time_zone",
            "older_age_years",
            "screening_valid_days",
            "quiet_hours_start",
            "quiet_hours_end",
            "alert_escalation_minutes",
            "require_two_factor",
            "staff_idle_minutes",
            "staff_session_hours",
            "retention_years",
            "accent_colour",
        )
        labels: ClassVar[dict[str, str]] = {
            "phone": "Phone",
            "urgent_phone": "Urgent phone (shown with every 'contact the clinic now')",
            "time_zone": "Time zone (for example Europe/London)",
            "quiet_hours_start": "No messages from",
            "quiet_hours_end": "No messages until",
            "require_two_factor": "Require two-factor sign-in for every member of staff",
            "retention_years": "Years to keep a patient's records after their last treatment",
            "accent_colour": "Accent colour",
        }
        help_texts: ClassVar[dict[str, str]] = {
            "require_two_factor": "Clinic administrators always need it.",
            "accent_colour": "Behind the clinic's name in emails, in white: choose a dark colour.",
        }
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, procedure: str = DEFAULT_PROTOCOL, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.protocol: Protocol | None = None
        self.procedure = procedure
        self.fields["overlay_yaml"].initial = clinic_overlay(self.instance, procedure)
        self.fields["on_call_text"].initial = format_on_call(contacts_of(self.instance))
        for name in TEXT_FIELDS:
            self.fields[name].validators.append(validate_visible_text)
        # A colour picker always sends a colour; a form posted without one keeps the saved one.
        self.fields["accent_colour"].required = False

    def clean_accent_colour(self) -> str:
        colour: str = self.cleaned_data.get("accent_colour") or self.instance.accent_colour
        return colour

    def clean_logo(self) -> bytes | None:
        """The uploaded logo as the PNG to keep, or None when none was uploaded."""
        upload = self.cleaned_data.get("logo")
        if upload is None:
            return None
        validate_logo_size(upload.size or 0)
        return prepare_logo(upload.read())

    def save(self, commit: bool = True) -> Clinic:
        clinic = super().save(commit=commit)
        if commit:
            ClinicProcedure.objects.update_or_create(
                clinic=clinic,
                protocol_id=self.procedure,
                defaults={"overlay_yaml": self.cleaned_data["overlay_yaml"]},
            )
            forget_procedures(clinic)
        if commit and self.cleaned_data.get("remove_logo"):
            set_logo(clinic, None)
        elif commit and self.cleaned_data.get("logo") is not None:
            set_logo(clinic, self.cleaned_data["logo"])
        return clinic

    def clean_on_call_text(self) -> str:
        text: str = self.cleaned_data["on_call_text"]
        self.instance.on_call = [contact.as_json() for contact in parse_on_call(text)]
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        age = cleaned.get("older_age_years")
        if age is None or "overlay_yaml" not in cleaned:
            return cleaned
        try:
            self.protocol = effective_protocol(
                cleaned["overlay_yaml"],
                age,
                overlay_source(self.instance, self.procedure),
                self.procedure,
            )
        except ProtocolError as error:
            self.add_error("overlay_yaml", [describe_issue(issue) for issue in error.issues])
        return cleaned


class StaffCreateForm(UserCreationForm[User]):
    """A new login for this clinic, with a password Django's validators accept."""

    role = forms.ChoiceField(choices=Role.choices, initial=Role.PRACTITIONER)

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")
        field_classes: ClassVar[dict[str, type[forms.Field]]] = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("username", "first_name", "last_name"):
            self.fields[name].validators.append(validate_visible_text)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True


class StaffEditForm(forms.Form):
    """Role, whether the login works, and optionally a new password."""

    role = forms.ChoiceField(choices=Role.choices)
    is_active = forms.BooleanField(
        label="Can sign in", required=False, help_text="Untick when someone leaves the clinic."
    )
    remove_second_factor = forms.BooleanField(
        label="Remove their two-factor sign-in (a lost phone)",
        required=False,
        help_text="At their next sign-in they set it up again with a new phone.",
    )
    new_password1 = forms.CharField(
        label="New password (leave empty to keep the current one)",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label="New password again",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, member: StaffMember, editor: StaffMember, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        self.editor = editor

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.member.pk == self.editor.pk:
            self._refuse_self_lockout(cleaned)
        self._check_password(cleaned)
        return cleaned

    def _refuse_self_lockout(self, cleaned: dict[str, Any]) -> None:
        if cleaned.get("role") not in (None, Role.CLINIC_ADMIN):
            self.add_error("role", "You cannot take away your own administrator role.")
        if "is_active" in cleaned and not cleaned["is_active"]:
            self.add_error("is_active", "You cannot stop your own sign-in.")

    def _check_password(self, cleaned: dict[str, Any]) -> None:
        first, second = cleaned.get("new_password1", ""), cleaned.get("new_password2", "")
        if not first and not second:
            return
        if first != second:
            self.add_error("new_password2", "The two passwords do not match.")
            return
        try:
            password_validation.validate_password(first, self.member.user)
        except ValidationError as error:
            self.add_error("new_password1", error)
