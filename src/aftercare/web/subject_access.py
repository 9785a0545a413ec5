"""Everything held about one patient, as one ZIP: a subject access request (UK GDPR Art. 15).

The ZIP holds a README, the patient's details, a FHIR Bundle and a leaflet PDF for each
treatment, the messages, check-ins with their triage, screenings, consent history, and
the audit events about the patient (or by them), with times on the clinic's clock.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

from django.db.models import Q

from aftercare.exports.fhir import bundle, to_json
from aftercare.exports.pdf import treatment_leaflet
from aftercare.web.audit_text import describe
from aftercare.web.care.consent import consent_lines
from aftercare.web.care.export_subject import treatment_subject
from aftercare.web.care.summary import local_stamp
from aftercare.web.clinic.models import (
    AuditEvent,
    CheckIn,
    Patient,
    PlannedCourse,
    Reminder,
    Screening,
    Treatment,
)
from aftercare.web.csv_export import csv_text as _csv
from aftercare.web.export_fhir import check_in_record, screening_record

__all__ = ["subject_access_zip"]

README = """Everything {clinic} holds about {patient}, as of {at}.

patient.json        the patient's details as recorded, with the sessions planned for each
                    course given a length ("courses": by procedure)
consent.csv         consent to messages: each time it was given or withdrawn, and by whom
treatments/         for each treatment: its FHIR R4 Bundle (treatment-N.json: the patient,
                    the procedure, the aftercare plan, check-ins and screenings) and the
                    aftercare leaflet given to the patient (treatment-N.pdf)
messages.csv        every message scheduled, sent or cancelled, with its text
check-ins.csv       every check-in: the symptoms reported and what the triage said
screenings.csv      every screening: the answers and the result
audit.csv           every time someone read or changed this patient's records

Times are on the clinic's clock ({zone}).
"""


def subject_access_zip(patient: Patient, at: datetime) -> bytes:
    clinic = patient.clinic
    zone_name = clinic.time_zone
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        when = local_stamp(at, zone_name)
        archive.writestr(
            "README.txt",
            README.format(clinic=clinic.name, patient=patient, at=when, zone=zone_name),
        )
        archive.writestr("patient.json", json.dumps(_details(patient), indent=2))
        archive.writestr(
            "consent.csv", _csv(["when", "consent", "by"], consent_lines(patient, zone_name))
        )
        for treatment in Treatment.objects.filter(patient=patient).order_by("treated_at"):
            _treatment_files(archive, patient, treatment, at)
        archive.writestr("messages.csv", _messages(patient))
        archive.writestr("check-ins.csv", _check_ins(patient, zone_name))
        archive.writestr("screenings.csv", _screenings(patient, zone_name))
        archive.writestr("audit.csv", _audit(patient))
    return buffer.getvalue()


def _details(patient: Patient) -> dict[str, object]:
    fields = ("given_name", "family_name", "email", "mobile", "preferred_channel")
    details: dict[str, object] = {name: getattr(patient, name) for name in fields}
    details["date_of_birth"] = patient.date_of_birth and patient.date_of_birth.isoformat()
    details["consent_to_messages"] = patient.consent_to_messages
    details["legal_hold"] = patient.legal_hold
    # The sessions planned for each course given a length, by procedure.
    details["courses"] = PlannedCourse.of(patient)
    details["created_at"] = patient.created_at.isoformat()
    return details


def _treatment_files(
    archive: zipfile.ZipFile, patient: Patient, treatment: Treatment, at: datetime
) -> None:
    subject = treatment_subject(patient, treatment)
    result = bundle(
        subject,
        at=at,
        check_ins=[check_in_record(c) for c in CheckIn.objects.filter(treatment=treatment)],
        screenings=[screening_record(s) for s in Screening.objects.filter(patient=patient)],
    )
    archive.writestr(f"treatments/treatment-{treatment.pk}.json", to_json(result))
    if treatment.cancelled_at is None:
        archive.writestr(f"treatments/treatment-{treatment.pk}.pdf", treatment_leaflet(subject))


def _messages(patient: Patient) -> str:
    reminders = Reminder.objects.filter(patient=patient).select_related("treatment")
    rows = (
        (
            local_stamp(r.due_at, r.treatment.time_zone),
            r.get_kind_display(),
            r.channel,
            r.get_status_display(),
            "" if r.sent_at is None else local_stamp(r.sent_at, r.treatment.time_zone),
            r.body,
        )
        for r in reminders.order_by("due_at", "pk")
    )
    return _csv(["due", "kind", "channel", "status", "sent", "text"], rows)


def _check_ins(patient: Patient, zone_name: str) -> str:
    check_ins = CheckIn.objects.filter(treatment__patient=patient).order_by("created_at")
    rows = (
        (
            local_stamp(c.created_at, zone_name),
            "; ".join(s.get("symptom", "") for s in c.symptoms if isinstance(s, dict)),
            c.get_trend_display(),
            c.free_text,
            c.get_level_display(),
            "" if c.reviewed_at is None else local_stamp(c.reviewed_at, zone_name),
            c.review_note,
        )
        for c in check_ins
    )
    header = ["when", "symptoms", "trend", "in their words", "triage", "reviewed", "note"]
    return _csv(header, rows)


def _screenings(patient: Patient, zone_name: str) -> str:
    rows = (
        (
            local_stamp(s.screened_at, zone_name),
            s.get_status_display(),
            "" if s.earliest_date is None else s.earliest_date.isoformat(),
            json.dumps(s.answers, sort_keys=True),
        )
        for s in Screening.objects.filter(patient=patient).order_by("screened_at")
    )
    return _csv(["when", "result", "earliest date", "answers"], rows)


def _audit(patient: Patient) -> str:
    about = Q(patient_id=patient.pk) | Q(actor_patient_id=patient.pk)
    events = list(AuditEvent.objects.filter(about, clinic=patient.clinic).order_by("at", "seq"))
    lines = describe(patient.clinic, events)
    zone_name = patient.clinic.time_zone
    rows = (
        (local_stamp(line.event.at, zone_name), line.sentence, line.event.get_outcome_display())
        for line in lines
    )
    return _csv(["when", "what happened", "outcome"], rows)
