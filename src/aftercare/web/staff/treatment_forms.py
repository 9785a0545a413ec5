"""The treatment form: when it ended, where, how deep, the patient's factors, and the gate.

A treatment is recorded only for a patient whose latest screening is eligible and recent
enough for the clinic; otherwise the practitioner must say, in words, why they treated.
Times are typed on the clinic's wall clock and checked by the engine, so a time the clocks
skip is refused and one they repeat must be chosen explicitly.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms

from aftercare.engine.course import gate_session
from aftercare.engine.errors import InputError, LocalTimeError
from aftercare.engine.explain import format_day, repeated_time_note
from aftercare.engine.localtime import is_repeated, local_datetime, zone
from aftercare.engine.model import MAX_NEEDLE_DEPTH_MM, Factors, age_on
from aftercare.protocols.schema import Protocol
from aftercare.web.care.summary import session_days
from aftercare.web.clinic.models import Clinic, Patient, Screening, ScreeningStatus, Treatment
from aftercare.web.clinic.validators import validate_time_zone, validate_visible_text

__all__ = ["MIN_OVERRIDE_LENGTH", "TreatmentForm", "course_problem", "screening_problem"]

MIN_OVERRIDE_LENGTH = 10
# No clinic records a microneedling treatment from before this year.
EARLIEST_YEAR = 2000
MAX_FUTURE = timedelta(days=1)
ROMAN = ("i", "ii", "iii", "iv", "v", "vi")
SKIN_TYPES = (("", "Not assessed"), *((str(n), r.upper()) for n, r in enumerate(ROMAN, 1)))
REPEATED = (
    ("", "It did not happen twice"),
    ("first", "The first time (before the clocks went back)"),
    ("second", "The second time (after the clocks went back)"),
)
FACTOR_FLAGS = ("sensitive_skin", "platelet_medication", "anticoagulant", "cold_sore_history")
# Screening questions whose answers carry over as the treatment's factors.
FROM_SCREENING = ("platelet_medication", "anticoagulant", "cold_sore_history")


def screening_problem(screening: Screening | None, clinic: Clinic, at: datetime) -> str | None:
    """Why ``screening`` does not clear a treatment at ``at``, or None when it does."""
    if screening is None:
        return "This patient has not been screened."
    screened_on = format_day(screening.screened_at.astimezone(zone(clinic.time_zone)).date())
    if screening.status != ScreeningStatus.ELIGIBLE:
        status = ScreeningStatus(screening.status).label
        earliest = (
            f", earliest {format_day(screening.earliest_date)}" if screening.earliest_date else ""
        )
        return f"The latest screening ({screened_on}) says: {status}{earliest}{_open(screening)}."
    if at - screening.screened_at > timedelta(days=clinic.screening_valid_days):
        return (
            f"The latest screening ({screened_on}) is older than the clinic's "
            f"{clinic.screening_valid_days} days."
        )
    return None


def _open(screening: Screening) -> str:
    """', N questions still to ask' for an incomplete screening."""
    result = screening.result if isinstance(screening.result, dict) else {}
    count = len(result.get("unanswered") or ())
    if screening.status != ScreeningStatus.INCOMPLETE or not count:
        return ""
    return f", {count} question{'' if count == 1 else 's'} still to ask"


def course_problem(
    protocol: Protocol, patient: Patient, day: date, editing: Treatment | None = None
) -> str | None:
    """Why a session on the local ``day`` needs an override, counted from the patient's
    recorded treatments (``editing``, when it is one of them, not counted), or None."""
    recorded = Treatment.objects.filter(patient=patient, cancelled_at=None)
    if editing is not None:
        recorded = recorded.exclude(pk=editing.pk)
    gate = gate_session(protocol, session_days(recorded), day)
    course, problems = protocol.course, []
    if gate.beyond_maximum:
        problems.append(
            f"This would be session {gate.number}; a course is at most "
            f"{course.max_sessions} sessions."
        )
    if gate.gap is not None and gate.too_soon:
        previous = gate.gap.earliest - timedelta(days=course.min_gap_days)
        problems.append(
            f"It is {gate.gap.gap_days} days after the previous session on "
            f"{format_day(previous)}; sessions are at least {course.min_gap_days} days apart "
            f"(from {format_day(gate.gap.earliest)})."
        )
    return " ".join(problems) or None


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
    needle_depth_mm = forms.DecimalField(
        label="Needle depth (mm)", max_digits=4, decimal_places=2, required=False
    )
    device = forms.CharField(max_length=100, required=False, validators=[validate_visible_text])
    notes = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_visible_text],
    )
    sensitive_skin = forms.BooleanField(label="Sensitive skin", required=False)
    fitzpatrick = forms.ChoiceField(
        label="Skin type (Fitzpatrick)", choices=SKIN_TYPES, required=False
    )
    platelet_medication = forms.BooleanField(
        label="Takes a medicine or supplement that affects platelets", required=False
    )
    anticoagulant = forms.BooleanField(
        label="Takes an anticoagulant, or has a bleeding disorder", required=False
    )
    cold_sore_history = forms.BooleanField(label="Gets cold sores", required=False)
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
        for name in FROM_SCREENING:
            initial[name] = answers.get(name) is True
        if answers.get("fitzpatrick") in ROMAN:
            initial["fitzpatrick"] = str(ROMAN.index(answers["fitzpatrick"]) + 1)
        return initial

    def clean_needle_depth_mm(self) -> Decimal | None:
        depth: Decimal | None = self.cleaned_data["needle_depth_mm"]
        if depth is not None and not 0 < depth <= Decimal(str(MAX_NEEDLE_DEPTH_MM)):
            raise forms.ValidationError(
                f"The depth must be more than 0 and at most {MAX_NEEDLE_DEPTH_MM:g} mm."
            )
        return depth

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
        if moment.year < EARLIEST_YEAR:
            # Also keeps out zones' old local mean times, whose offsets have seconds.
            self.add_error("treated_on", f"The treatment cannot be before {EARLIEST_YEAR}.")
            return None
        if moment - self.now > MAX_FUTURE:
            self.add_error("treated_on", "The treatment cannot be more than a day in the future.")
            return None
        born = self.patient.date_of_birth
        if born is not None and moment.date() < born:
            self.add_error("treated_on", "The treatment cannot be before the date of birth.")
            return None
        return moment

    def _check_factors(self, cleaned: dict[str, Any]) -> None:
        try:
            self.factors()
        except InputError as error:
            self.add_error(None, str(error))

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
        depth = cleaned.get("needle_depth_mm")
        skin_type = cleaned.get("fitzpatrick")
        return Factors(
            areas=frozenset(cleaned.get("areas") or ()),
            needle_depth_mm=None if depth is None else float(depth),
            age=self._age(),
            fitzpatrick=int(skin_type) if skin_type else None,
            **{flag: bool(cleaned.get(flag)) for flag in FACTOR_FLAGS},
        )

    def factors_json(self) -> dict[str, Any]:
        """The factors the treatment row keeps (areas and depth have columns of their own)."""
        stored = asdict(self.factors())
        del stored["areas"], stored["needle_depth_mm"]
        return stored

    def _age(self) -> int | None:
        born = self.patient.date_of_birth
        if born is None or self.treated_at is None:
            return None
        return age_on(born, self.treated_at.date())


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
