"""Writing a patient's clinical records, the same way from the web pages and the API.

Each function takes typed input and the ``Actor`` who acts, freezes what the engine said
at the time into the row, writes the audit entry in the same transaction, and keeps the
reminders in step; the caller has already checked the input and looked the patient up
within the caller's clinic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from django.db import IntegrityError, transaction

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
from aftercare.web.actor import Actor
from aftercare.web.booking import refresh_booking
from aftercare.web.care.consent import record_consent
from aftercare.web.care.current import Care, factors_for
from aftercare.web.care.factors import stored_factors
from aftercare.web.care.patients import PatientInput
from aftercare.web.care.treatments import TreatmentInput
from aftercare.web.clinic.models import (
    CheckIn,
    Clinic,
    Patient,
    PlannedCourse,
    Screening,
    Treatment,
)
from aftercare.web.clinic.validators import without_invisible
from aftercare.web.frozen import frozen
from aftercare.web.reminders.alerts import raise_alerts
from aftercare.web.reminders.schedule import sync_patient, sync_treatment

__all__ = [
    "cancel_treatment",
    "change_treatment",
    "plan_courses",
    "record_check_in",
    "record_new_patient",
    "record_patient_change",
    "record_screening",
    "record_treatment",
]


def record_new_patient(actor: Actor, clinic: Clinic, details: PatientInput) -> Patient:
    """Save ``details`` as a new patient of ``clinic``."""
    with transaction.atomic():
        patient = Patient(clinic=clinic, created_at=clock.now(), **details.details())
        patient.save()
        plan_courses(patient, details.courses)
        audit.record(actor, "patient.create", clinic=clinic, patient=patient, obj=patient)
        if patient.consent_to_messages:
            record_consent(actor, patient, given=True)
    return patient


def record_patient_change(actor: Actor, patient: Patient, details: PatientInput) -> Patient:
    """Save ``details`` over ``patient``'s; their waiting reminders follow the new contact
    details and consent."""
    # As stored: an edge may have set the new details on this object already.
    consented = Patient.objects.values_list("consent_to_messages", flat=True).get(pk=patient.pk)
    with transaction.atomic():
        for name, value in details.details().items():
            setattr(patient, name, value)
        patient.save()
        plan_courses(patient, details.courses)
        audit.record(actor, "patient.update", clinic=patient.clinic, patient=patient, obj=patient)
        if patient.consent_to_messages != consented:
            record_consent(actor, patient, given=patient.consent_to_messages)
        sync_patient(patient, clock.now())
        # Always: the course length may have changed, and the form saved every column,
        # the window as it was read included.
        refresh_booking(patient)
    return patient


def plan_courses(patient: Patient, courses: Mapping[str, int | None]) -> None:
    """Keep the sessions planned for each of ``patient``'s courses named in ``courses``
    (None: the protocol's usual, which needs no row)."""
    for procedure, sessions in courses.items():
        if sessions is None:
            PlannedCourse.objects.filter(patient=patient, procedure=procedure).delete()
        else:
            PlannedCourse.objects.update_or_create(
                patient=patient, procedure=procedure, defaults={"sessions": sessions}
            )


def record_screening(
    actor: Actor,
    patient: Patient,
    protocol: Protocol,
    answers: Mapping[str, Answer],
    today: date,
) -> tuple[Screening, ScreeningResult]:
    """Screen ``answers`` on the clinic's day ``today`` and keep both; InputError if invalid."""
    result = screen(protocol, answers, today)
    with transaction.atomic():
        screening = Screening.objects.create(
            patient=patient,
            answers=frozen(dict(answers)),
            status=result.status.value,
            earliest_date=result.earliest_date,
            result=frozen(result),
            protocol_id=protocol.effective_id,
            protocol_version=protocol.version,
            screened_by=actor.staff,
            screened_by_key=actor.api_key,
            screened_at=clock.now(),
        )
        audit.record(
            actor, "screening.create", clinic=patient.clinic, patient=patient, obj=screening
        )
    return screening, result


def record_treatment(
    actor: Actor, patient: Patient, treatment: TreatmentInput, protocol: Protocol
) -> Treatment:
    """Save ``treatment`` of ``patient`` under ``protocol``, with its override (if used)
    and its reminders."""
    with transaction.atomic():
        row = Treatment(
            patient=patient,
            protocol_id=protocol.effective_id,
            protocol_version=protocol.version,
            created_by=actor.staff,
            created_by_key=actor.api_key,
            created_at=clock.now(),
        )
        _set(row, treatment)
        row.save(force_insert=True)
        _audit_treatment(actor, "treatment.create", row, treatment)
        sync_treatment(row, clock.now())
        refresh_booking(patient, protocol)
    return row


def change_treatment(
    actor: Actor, row: Treatment, treatment: TreatmentInput, protocol: Protocol
) -> Treatment:
    """Correct ``row`` to ``treatment``, re-recorded under ``protocol`` (the one in force
    now); waiting messages move or stop, and nothing already sent goes again."""
    moved_from = row.treated_at
    _set(row, treatment)
    row.protocol_id, row.protocol_version = protocol.effective_id, protocol.version
    with transaction.atomic():
        row.save()
        _audit_treatment(actor, "treatment.update", row, treatment)
        sync_treatment(row, clock.now(), moved_from=moved_from)
        refresh_booking(row.patient, protocol)
    return row


def cancel_treatment(actor: Actor, row: Treatment) -> None:
    """Cancel ``row``: its waiting messages will not be sent."""
    now = clock.now()
    with transaction.atomic():
        row.cancelled_at = now
        row.save(update_fields=["cancelled_at"])
        audit.record(
            actor, "treatment.cancel", clinic=row.patient.clinic, patient=row.patient, obj=row
        )
        sync_treatment(row, now)
        refresh_booking(row.patient)


def _set(row: Treatment, treatment: TreatmentInput) -> None:
    row.treated_at = treatment.treated_at
    row.time_zone = treatment.time_zone
    row.areas = list(treatment.areas)
    row.device = treatment.device.strip()
    row.notes = treatment.notes.strip()
    row.factors = stored_factors(treatment.factors)
    row.override_reason = treatment.override_reason.strip()
    row.course_override_reason = treatment.course_override_reason.strip()


def _audit_treatment(actor: Actor, action: str, row: Treatment, treatment: TreatmentInput) -> None:
    """The change, then each override it needed, in the change's transaction."""
    patient = row.patient
    audit.record(actor, action, clinic=patient.clinic, patient=patient, obj=row)
    if treatment.override_reason:
        audit.record(actor, "treatment.override", clinic=patient.clinic, patient=patient, obj=row)
    if treatment.course_override_reason:
        audit.record(
            actor, "treatment.course_override", clinic=patient.clinic, patient=patient, obj=row
        )


def record_check_in(
    actor: Actor,
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
                clinic=patient.clinic,
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
                actor, "checkin.create", clinic=patient.clinic, patient=patient, obj=record
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
