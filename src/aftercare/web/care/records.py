"""Writing a patient's clinical records, the same way from the web pages and the API.

Each function freezes what the engine said at the time into the row, writes the audit
entry in the same transaction, and keeps the reminders in step; the caller has already
checked the input and looked the patient up within the caller's clinic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from aftercare.engine.screening import Answer, ScreeningResult, screen
from aftercare.engine.triage import (
    Severity,
    SymptomReport,
    Trend,
    distinct_reports,
    symptom_report,
    triage,
)
from aftercare.protocols.schema import Protocol
from aftercare.web import audit, clock
from aftercare.web.booking import refresh_booking
from aftercare.web.care.consent import record_consent
from aftercare.web.care.current import Care, factors_for
from aftercare.web.clinic.models import (
    ApiKey,
    CheckIn,
    Clinic,
    Patient,
    Screening,
    StaffMember,
    Treatment,
)
from aftercare.web.clinic.validators import without_invisible
from aftercare.web.frozen import frozen
from aftercare.web.reminders.alerts import raise_alerts
from aftercare.web.reminders.schedule import sync_patient, sync_treatment
from aftercare.web.staff.patient_forms import PatientForm
from aftercare.web.staff.treatment_forms import TreatmentForm

__all__ = [
    "record_check_in",
    "record_new_patient",
    "record_patient_change",
    "record_screening",
    "record_treatment",
]


def _actors(request: HttpRequest) -> tuple[StaffMember | None, ApiKey | None]:
    """Who is recording: a signed-in staff member, or a clinic system's API key."""
    return getattr(request, "staff", None), getattr(request, "api_key", None)


def record_new_patient(request: HttpRequest, form: PatientForm, clinic: Clinic) -> Patient:
    """Save a valid new-patient form as a patient of ``clinic``."""
    with transaction.atomic():
        patient = form.save(commit=False)
        patient.clinic = clinic
        patient.created_at = clock.now()
        patient.save()
        audit.record(request, "patient.create", clinic=clinic, patient=patient, obj=patient)
        if patient.consent_to_messages:
            record_consent(request, patient, given=True)
    return patient


def record_patient_change(request: HttpRequest, form: PatientForm) -> Patient:
    """Save a valid form editing a patient; their waiting reminders follow the new
    contact details and consent."""
    consented = bool(form.initial.get("consent_to_messages"))
    with transaction.atomic():
        patient = form.save()
        audit.record(request, "patient.update", clinic=patient.clinic, patient=patient, obj=patient)
        if patient.consent_to_messages != consented:
            record_consent(request, patient, given=patient.consent_to_messages)
        sync_patient(patient, clock.now())
        # Always: the course length may have changed, and the form saved every column,
        # the window as it was read included.
        refresh_booking(patient)
    return patient


def record_screening(
    request: HttpRequest,
    patient: Patient,
    protocol: Protocol,
    answers: Mapping[str, Answer],
    today: date,
) -> tuple[Screening, ScreeningResult]:
    """Screen ``answers`` on the clinic's day ``today`` and keep both; InputError if invalid."""
    result = screen(protocol, answers, today)
    staff, key = _actors(request)
    with transaction.atomic():
        screening = Screening.objects.create(
            patient=patient,
            answers=frozen(dict(answers)),
            status=result.status.value,
            earliest_date=result.earliest_date,
            result=frozen(result),
            protocol_id=protocol.effective_id,
            protocol_version=protocol.version,
            screened_by=staff,
            screened_by_key=key,
            screened_at=clock.now(),
        )
        audit.record(
            request, "screening.create", clinic=patient.clinic, patient=patient, obj=screening
        )
    return screening, result


def record_treatment(
    request: HttpRequest, form: TreatmentForm, treated_at: datetime, protocol: Protocol
) -> Treatment:
    """Save a valid treatment form, with its override (if used) and its reminders."""
    patient = form.patient
    data = form.cleaned_data
    staff, key = _actors(request)
    with transaction.atomic():
        treatment = Treatment.objects.create(
            patient=patient,
            treated_at=treated_at,
            time_zone=data["time_zone"],
            areas=list(data["areas"]),
            needle_depth_mm=data["needle_depth_mm"],
            device=data["device"].strip(),
            notes=data["notes"].strip(),
            factors=form.factors_json(),
            protocol_id=protocol.effective_id,
            protocol_version=protocol.version,
            override_reason=data["override_reason"].strip() if form.override_used else "",
            course_override_reason=form.recorded_course_reason(),
            created_by=staff,
            created_by_key=key,
            created_at=clock.now(),
        )
        clinic = patient.clinic
        audit.record(request, "treatment.create", clinic=clinic, patient=patient, obj=treatment)
        if form.override_used:
            audit.record(
                request, "treatment.override", clinic=clinic, patient=patient, obj=treatment
            )
        if form.course_override_used:
            audit.record(
                request, "treatment.course_override", clinic=clinic, patient=patient, obj=treatment
            )
        sync_treatment(treatment, clock.now())
        refresh_booking(patient, protocol)
    return treatment


def record_check_in(
    request: HttpRequest,
    care: Care,
    symptoms: Sequence[str],
    trend: Trend | None,
    free_text: str,
    idempotency_key: str = "",
    severities: Mapping[str, Severity] | None = None,
) -> CheckIn:
    """Triage what the patient reports and writes at ``care.at`` and keep it; InputError if
    invalid. Invisible characters are taken out of the text, so staff read what the engine
    read. ``severities`` says how bad a symptom is, keyed by the name it was reported by.

    With an ``idempotency_key`` already used for this treatment, the check-in it made is
    returned and nothing new is recorded: a retry after a lost answer raises no second
    alert.
    """
    if idempotency_key and (earlier := _check_in_with(care, idempotency_key)) is not None:
        return earlier
    how_bad = severities or {}
    reports = [symptom_report(care.protocol, s, trend, how_bad.get(s)) for s in symptoms]
    unique = distinct_reports(reports)
    free_text = without_invisible(free_text).strip()
    result = triage(care.protocol, unique, care.hours_after, factors_for(care), free_text)
    patient = care.patient
    try:
        with transaction.atomic():
            record = CheckIn.objects.create(
                treatment=care.treatment,
                symptoms=[_stored(report) for report in unique],
                trend=trend.value if trend is not None else "",
                free_text=free_text,
                level=result.level.value,
                result=frozen(result),
                hours_after=care.hours_after,
                created_at=care.at,
                idempotency_key=idempotency_key,
            )
            audit.record(
                request, "checkin.create", clinic=patient.clinic, patient=patient, obj=record
            )
            # In the same transaction: the clinic is told of every check-in that was kept.
            raise_alerts(record, patient.clinic, care.at)
    except IntegrityError:
        # The same key, sent twice at once: the other request recorded it.
        if idempotency_key and (earlier := _check_in_with(care, idempotency_key)) is not None:
            return earlier
        raise
    return record


def _stored(report: SymptomReport) -> dict[str, str]:
    """A reported symptom as the check-in keeps it: its id and, when given, how bad."""
    if report.severity is None:
        return {"symptom": report.symptom}
    return {"symptom": report.symptom, "severity": report.severity.value}


def _check_in_with(care: Care, key: str) -> CheckIn | None:
    return CheckIn.objects.filter(treatment=care.treatment, idempotency_key=key).first()
