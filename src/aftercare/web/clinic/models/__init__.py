"""One model per module; this package only gathers them for Django."""

from __future__ import annotations

from aftercare.web.clinic.models.api_key import Access, ApiKey
from aftercare.web.clinic.models.audit import ActorKind, AuditEvent, Outcome
from aftercare.web.clinic.models.check_in import CheckIn, Level, Severity, Trend
from aftercare.web.clinic.models.clinic import Clinic
from aftercare.web.clinic.models.consent import ConsentEvent, ConsentSource
from aftercare.web.clinic.models.course_booking import BookingKind, CourseBooking
from aftercare.web.clinic.models.erasure import Erasure
from aftercare.web.clinic.models.heartbeat import WorkerBeat
from aftercare.web.clinic.models.link import PatientLink
from aftercare.web.clinic.models.link_request import LinkRequest
from aftercare.web.clinic.models.logo import ClinicLogo, logo_png, set_logo
from aftercare.web.clinic.models.patient import Channel, Patient
from aftercare.web.clinic.models.planned_course import PlannedCourse
from aftercare.web.clinic.models.procedure import ClinicProcedure
from aftercare.web.clinic.models.question import PatientQuestion, QuestionStatus
from aftercare.web.clinic.models.reminder import (
    TO_PATIENT,
    Reminder,
    ReminderKind,
    ReminderStatus,
    idempotency_key,
)
from aftercare.web.clinic.models.screening import Screening, ScreeningStatus
from aftercare.web.clinic.models.staff import Role, StaffMember
from aftercare.web.clinic.models.treatment import Treatment

__all__ = [
    "TO_PATIENT",
    "Access",
    "ActorKind",
    "ApiKey",
    "AuditEvent",
    "BookingKind",
    "Channel",
    "CheckIn",
    "Clinic",
    "ClinicLogo",
    "ClinicProcedure",
    "ConsentEvent",
    "ConsentSource",
    "CourseBooking",
    "Erasure",
    "Level",
    "LinkRequest",
    "Outcome",
    "Patient",
    "PatientLink",
    "PatientQuestion",
    "PlannedCourse",
    "QuestionStatus",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "Role",
    "Screening",
    "ScreeningStatus",
    "Severity",
    "StaffMember",
    "Treatment",
    "Trend",
    "WorkerBeat",
    "idempotency_key",
    "logo_png",
    "set_logo",
]
