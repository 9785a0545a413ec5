"""The treatment form: when it ended, where, the protocol's factors, and the gate.

The factor fields are built from the protocol's ``factors`` (a needle depth for
microneedling, a peel depth for a peel), as the screening form is built from its questions,
and start from the screening answers the protocol names (``from_screening``).

A treatment is recorded only for a patient whose latest screening is eligible and recent
enough for the clinic; otherwise the practitioner must say, in words, why they treated.
Times are typed on the clinic's wall clock and checked by the engine, so a time the clocks
skip is refused and one they repeat must be chosen explicitly.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms

from aftercare.engine.errors import InputError, LocalTimeError
from aftercare.engine.explain import repeated_time_note
from aftercare.engine.localtime import is_repeated, local_datetime, zone
from aftercare.engine.model import Factors
from aftercare.protocols.schema import Factor, FactorKind, FactorValue, Protocol
from aftercare.web.care.factors import decimal_places, screening_values
from aftercare.web.care.treatments import (
    MIN_OVERRIDE_LENGTH,
    TreatmentInput,
    course_problem,
    screening_problem,
    treated_at_problem,
    treatment_factors,
)
from aftercare.web.clinic.models import Patient, Screening, Treatment
from aftercare.web.clinic.validators import validate_time_zone, validate_visible_text

__all__ = ["TreatmentForm", "factor_initial"]

REPEATED = (
    ("", "It did not happen twice"),
    ("first", "The first time (before the clocks went back)"),
    ("second", "The second time (after the clocks went back)"),
)


class TreatmentForm(forms.Form):
    treated_on = forms.DateField(
        label="Date the treatment ended",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    treated_time = forms.TimeField(
        label="Time the treatment ended",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    repeated = forms.ChoiceField(
        label="If the clocks went back that night and this time happened twice, which one",
        choices=REPEATED,
        required=False,
    )
    time_zone = forms.CharField(
        label="The patient's time zone",
        max_length=64,
        help_text="A name such as Europe/London; the patient's plan shows times in this zone.",
        validators=[validate_time_zone],
    )
    areas = forms.MultipleChoiceField(label="Areas treated", widget=forms.CheckboxSelectMultiple)
    device = forms.CharField(max_length=100, required=False, validators=[validate_visible_text])
    notes = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_visible_text],
    )
    override = forms.BooleanField(label="Treat despite the screening", required=False)
    override_reason = forms.CharField(
        label="Why (recorded in the patient's record and the audit log)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_visible_text],
    )

    course_override = forms.BooleanField(label="Treat outside the course plan", required=False)
    course_override_reason = forms.CharField(
        label="Why (recorded in the patient's record and the audit log)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_visible_text],
    )

    def __init__(
        self,
        *args: Any,
        protocol: Protocol,
        patient: Patient,
        screening: Screening | None,
        now: datetime,
        editing: Treatment | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        self.patient = patient
        self.screening = screening
        self.now = now
        self.treated_at: datetime | None = None
        self.override_used = False
        self.editing = editing
        self.course_override_used = False
        areas = cast(forms.MultipleChoiceField, self.fields["areas"])
        areas.choices = [(area.id, area.label) for area in protocol.areas]
        # The protocol's own factors: a peel has no needle depth.
        for factor in protocol.recorded_factors:
            if factor.id in self.fields:
                raise ValueError(f"the factor '{factor.id}' has the name of a form field")
            self.fields[factor.id] = _factor_field(factor)
        if not self.is_bound:
            self.initial = self._initial()

    def _initial(self) -> dict[str, Any]:
        clinic = self.patient.clinic
        local = self.now.astimezone(zone(clinic.time_zone))
        initial: dict[str, Any] = {
            "treated_on": local.date(),
            "treated_time": local.time().replace(second=0, microsecond=0),
            "time_zone": clinic.time_zone,
            "areas": [self.protocol.default_area],
        }
        answers = self.screening.answers if self.screening is not None else {}
        return initial | factor_initial(self.protocol, screening_values(self.protocol, answers))

    @property
    def factor_fields(self) -> list[forms.BoundField]:
        """The protocol's factor fields, in its order, for the template."""
        return [self[factor.id] for factor in self.protocol.recorded_factors]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.treated_at = self._treated_at(cleaned)
        if self.treated_at is not None:
            self._check_factors(cleaned)
            self._check_gate(cleaned, self.treated_at)
            self._check_course(cleaned, self.treated_at)
        return cleaned

    def _treated_at(self, cleaned: dict[str, Any]) -> datetime | None:
        day, time = cleaned.get("treated_on"), cleaned.get("treated_time")
        if day is None or time is None:
            return None
        tz = zone(self.patient.clinic.time_zone)
        naive = datetime.combine(day, time.replace(second=0, microsecond=0))
        try:
            moment = _local(naive, tz, cleaned.get("repeated", ""))
        except LocalTimeError as error:
            self.add_error("treated_time", str(error))
            return None
        problem = treated_at_problem(self.patient, moment, self.now)
        if problem is not None:
            self.add_error("treated_on", problem)
            return None
        return moment

    def _check_factors(self, cleaned: dict[str, Any]) -> None:
        try:
            self.factors()
        except InputError as error:
            # The message names the factor and its bounds, from the protocol.
            self.add_error(None, str(error)[:1].upper() + str(error)[1:] + ".")

    def _check_gate(self, cleaned: dict[str, Any], treated_at: datetime) -> None:
        problem = screening_problem(self.screening, self.patient.clinic, treated_at)
        if problem is None:
            return
        reason = str(cleaned.get("override_reason", "")).strip()
        if not cleaned.get("override"):
            self.add_error(
                None,
                f"{problem} Screen the patient first, or tick 'Treat despite the screening' "
                "and say why.",
            )
        elif len(reason) < MIN_OVERRIDE_LENGTH:
            self.add_error(
                "override_reason",
                f"Say why you are treating despite the screening, in at least "
                f"{MIN_OVERRIDE_LENGTH} characters.",
            )
        else:
            self.override_used = True

    def _check_course(self, cleaned: dict[str, Any], treated_at: datetime) -> None:
        zone_name = cleaned.get("time_zone") or self.patient.clinic.time_zone
        day = treated_at.astimezone(zone(zone_name)).date()
        problem = course_problem(self.protocol, self.patient, day, self.editing)
        if problem is None:
            return
        reason = str(cleaned.get("course_override_reason", "")).strip()
        if not cleaned.get("course_override"):
            self.add_error(None, f"{problem} Tick 'Treat outside the course plan' and say why.")
        elif len(reason) < MIN_OVERRIDE_LENGTH:
            self.add_error(
                "course_override_reason",
                f"Say why you are treating outside the course plan, in at least "
                f"{MIN_OVERRIDE_LENGTH} characters.",
            )
        else:
            self.course_override_used = True

    def recorded_course_reason(self) -> str:
        """The reason recorded with the treatment: only when the override was needed."""
        return (
            self.cleaned_data["course_override_reason"].strip() if self.course_override_used else ""
        )

    def factors(self) -> Factors:
        """The engine's factors for this treatment; InputError when one is out of range."""
        cleaned = self.cleaned_data
        values = {
            factor.id: _value(factor, cleaned.get(factor.id))
            for factor in self.protocol.recorded_factors
        }
        return treatment_factors(
            self.protocol,
            self.patient,
            self.treated_at,
            tuple(cleaned.get("areas") or ()),
            values,
        )

    def to_input(self) -> TreatmentInput:
        """The valid form as the care layer takes it."""
        data = self.cleaned_data
        if self.treated_at is None:
            raise ValueError("only a valid form has a treatment to record")
        return TreatmentInput(
            treated_at=self.treated_at,
            time_zone=data["time_zone"],
            areas=tuple(data["areas"]),
            factors=self.factors(),
            device=data["device"],
            notes=data["notes"],
            override_reason=data["override_reason"].strip() if self.override_used else "",
            course_override_reason=self.recorded_course_reason(),
        )


def factor_initial(protocol: Protocol, values: dict[str, FactorValue]) -> dict[str, Any]:
    """``values`` as the form's factor fields show them (a choice by its value as text)."""
    initial: dict[str, Any] = {}
    for factor in protocol.recorded_factors:
        value = values.get(factor.id)
        if value is None:
            continue
        initial[factor.id] = str(value) if factor.kind == FactorKind.CHOICE else value
    return initial


def _factor_field(factor: Factor) -> forms.Field:
    help_text = factor.help or ""
    if factor.kind == FactorKind.YES_NO:
        return forms.BooleanField(label=factor.label, required=False, help_text=help_text)
    if factor.kind == FactorKind.CHOICE:
        choices = [("", "Not assessed"), *((str(o.value), o.label) for o in factor.options)]
        return forms.ChoiceField(
            label=factor.label, choices=choices, required=False, help_text=help_text
        )
    label = f"{factor.label} ({factor.unit})" if factor.unit else factor.label
    if factor.kind == FactorKind.WHOLE_NUMBER:
        return forms.IntegerField(label=label, required=False, help_text=help_text)
    return forms.DecimalField(
        label=label, required=False, decimal_places=decimal_places(factor), help_text=help_text
    )


def _value(factor: Factor, cleaned: object) -> FactorValue | None:
    """A field's cleaned value as the engine takes it; None when it was left empty."""
    if factor.kind == FactorKind.YES_NO:
        return bool(cleaned)
    if cleaned in (None, ""):
        return None
    if factor.kind == FactorKind.CHOICE:
        return next(o.value for o in factor.options if str(o.value) == cleaned)
    if isinstance(cleaned, Decimal):
        return float(cleaned)
    return cleaned if isinstance(cleaned, int) else None


def _local(naive: datetime, tz: ZoneInfo, repeated: str) -> datetime:
    """``naive`` on ``tz``'s clock; a repeated time needs ``repeated`` to say which."""
    try:
        return local_datetime(naive, tz)
    except LocalTimeError:
        if not is_repeated(naive, tz):
            raise
        if not repeated:
            raise LocalTimeError(
                f"{repeated_time_note(naive, tz)}; say below which one it was."
            ) from None
        return naive.replace(tzinfo=tz, fold=0 if repeated == "first" else 1)
