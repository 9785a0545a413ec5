"""The demo clinic that ``aftercare serve --demo`` shows: patients at every stage.

Rebuilding is idempotent: the same clinic, login and patients, with their treatments
moved so that they are again "today", "3 days ago" and so on relative to ``at``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from aftercare.engine.model import Factors, resolve_areas
from aftercare.engine.screening import NEVER, Answer, screen
from aftercare.engine.triage import symptom_report, triage
from aftercare.protocols.load import load_protocol
from aftercare.protocols.registry import packaged_protocols
from aftercare.protocols.schema import Protocol
from aftercare.web import two_factor
from aftercare.web.booking import refresh_booking
from aftercare.web.clinic.models import (
    Channel,
    CheckIn,
    Clinic,
    ClinicProcedure,
    Patient,
    Reminder,
    ReminderStatus,
    Role,
    Screening,
    StaffMember,
    Treatment,
    Trend,
)
from aftercare.web.frozen import frozen
from aftercare.web.reminders.schedule import sync_reminders

__all__ = ["DEMO_ADMIN", "DEMO_SLUG", "DEMO_USERNAME", "DemoLogin", "build_demo"]

DEMO_SLUG = "demo"
DEMO_USERNAME = "demo-practitioner"
DEMO_ADMIN = "demo-admin"
DEMO_ZONE = "Europe/London"
DEMO_AREAS = ["face"]
DEMO_DEPTH_MM = 1.0


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    # The clinic administrator signs in with two factors: the app's key, or a recovery code.
    admin_username: str = ""
    admin_password: str = ""
    admin_key: str = ""
    admin_recovery_code: str = ""


@dataclass(frozen=True, slots=True)
class DemoPatient:
    given_name: str
    family_name: str
    # Days between the end of treatment and ``at``; None for a patient not treated.
    treated_days_ago: float | None
    # The earlier sessions of the patient's course, as days before ``at``.
    earlier_days_ago: tuple[float, ...] = ()


# Ofcom keeps 020 7946 0000 to 0999 and @example addresses for drama: nobody is reached.
DEMO_PATIENTS = (
    DemoPatient("Amira", "Khan", 1 / 24),  # treated an hour ago
    DemoPatient("Ben", "Carter", 3),  # red-flag check-in: discharge
    DemoPatient("Chloe", "Davies", 10),
    DemoPatient("Daniel", "Evans", 30),  # due for the next session of the course
    DemoPatient("Emily", "Foster", None),  # screened: isotretinoin 30 days ago
    # A course of three complete seven months ago: due for maintenance.
    DemoPatient("Grace", "Hughes", 210, (280, 245)),
)
RED_FLAG_PATIENT = "Carter"
NOT_YET_PATIENT = "Foster"


@transaction.atomic
def build_demo(at: datetime) -> DemoLogin:
    """Create or refresh the demo clinic as it should look at ``at`` (aware)."""
    if at.tzinfo is None:
        raise ValueError("build_demo needs an aware datetime")
    protocol = load_protocol()
    clinic = _clinic()
    login, staff = _practitioner(clinic)
    login = _administrator(clinic, login)
    for index, person in enumerate(DEMO_PATIENTS):
        patient = _patient(clinic, person, index)
        if person.treated_days_ago is None:
            _screen_not_yet(protocol, patient, staff, at)
            continue
        for number, days_ago in enumerate(person.earlier_days_ago, start=1):
            when = at - timedelta(days=days_ago)
            _treatment(protocol, patient, staff, when, f"Session {number} of the course.")
        treatment = _treatment(
            protocol, patient, staff, at - timedelta(days=person.treated_days_ago)
        )
        if person.family_name == RED_FLAG_PATIENT:
            _red_flag_check_in(protocol, treatment, at)
        _messages(treatment, at)
        refresh_booking(patient)
    return login


def _messages(treatment: Treatment, at: datetime) -> None:
    """The treatment's messages as if it had been recorded when it took place: those due
    before ``at`` shown as sent (nobody is actually written to), the rest still to come."""
    sync_reminders(treatment, treatment.treated_at)
    Reminder.objects.filter(
        treatment=treatment, status=ReminderStatus.SCHEDULED, due_at__lt=at
    ).update(status=ReminderStatus.SENT, sent_at=F("due_at"), attempts=1)


def _clinic() -> Clinic:
    clinic, _ = Clinic.objects.update_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": "Demo Clinic",
            "phone": "020 7946 0000",
            "urgent_phone": "020 7946 0999",
            "email": "clinic@example.org",
            "time_zone": DEMO_ZONE,
        },
    )
    # The demo clinic performs every packaged procedure.
    for protocol_id in packaged_protocols().ids:
        ClinicProcedure.objects.update_or_create(
            clinic=clinic, protocol_id=protocol_id, defaults={"enabled": True}
        )
    return clinic


def _practitioner(clinic: Clinic) -> tuple[DemoLogin, StaffMember]:
    """The demo login, with a fresh random password on every build."""
    password = secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(
        username=DEMO_USERNAME, defaults={"first_name": "Demo", "last_name": "Practitioner"}
    )
    user.set_password(password)
    user.save()
    staff, _ = StaffMember.objects.update_or_create(
        user=user, defaults={"clinic": clinic, "role": Role.PRACTITIONER}
    )
    return DemoLogin(DEMO_USERNAME, password), staff


def _administrator(clinic: Clinic, login: DemoLogin) -> DemoLogin:
    """The demo's clinic administrator: a fresh password, authenticator key and recovery
    codes on every build, so the demo shows two-factor sign-in without a phone."""
    password = secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(
        username=DEMO_ADMIN, defaults={"first_name": "Demo", "last_name": "Administrator"}
    )
    user.set_password(password)
    user.save()
    StaffMember.objects.update_or_create(
        user=user, defaults={"clinic": clinic, "role": Role.CLINIC_ADMIN}
    )
    two_factor.remove_second_factor(user)
    device = two_factor.app_device(user)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = two_factor.new_recovery_codes(user)
    return replace(
        login,
        admin_username=DEMO_ADMIN,
        admin_password=password,
        admin_key=two_factor.secret_of(device),
        admin_recovery_code=codes[0],
    )


def _patient(clinic: Clinic, person: DemoPatient, index: int) -> Patient:
    patient, _ = Patient.objects.update_or_create(
        clinic=clinic,
        given_name=person.given_name,
        family_name=person.family_name,
        defaults={
            "date_of_birth": date(1980 + index * 3, 1 + index, 10 + index),
            "email": f"{person.given_name.lower()}@example.com",
            "mobile": f"+447700900{index:03d}",
            "preferred_channel": Channel.EMAIL,
            "consent_to_messages": True,
        },
    )
    return patient


def _treatment(
    protocol: Protocol, patient: Patient, staff: StaffMember, treated_at: datetime, notes: str = ""
) -> Treatment:
    """The session with ``notes`` (the latest has none): moved to ``treated_at``."""
    treated_at = treated_at.replace(second=0, microsecond=0)
    _screening(protocol, patient, staff, _nothing_found(protocol), treated_at)
    treatment, _ = Treatment.objects.update_or_create(
        patient=patient,
        notes=notes,
        defaults={
            "treated_at": treated_at,
            "time_zone": DEMO_ZONE,
            "areas": DEMO_AREAS,
            "device": "Demo pen",
            "factors": {"sensitive_skin": False, "needle_depth_mm": DEMO_DEPTH_MM},
            "protocol_id": protocol.effective_id,
            "protocol_version": protocol.version,
            "created_by": staff,
            "cancelled_at": None,
        },
    )
    return treatment


def _screen_not_yet(
    protocol: Protocol, patient: Patient, staff: StaffMember, at: datetime
) -> Screening:
    answers = _nothing_found(protocol) | {"isotretinoin": (at - timedelta(days=30)).date()}
    return _screening(protocol, patient, staff, answers, at)


def _nothing_found(protocol: Protocol) -> dict[str, Answer]:
    """Every question asked and answered with nothing to report (a choice: its first)."""
    nothing = protocol.screening.none_answers[0] if protocol.screening.none_answers else ""
    by_kind: dict[str, Answer] = {"yes_no": False, "date": NEVER, "date_or_current": NEVER}
    return {
        q.id: by_kind.get(q.kind, q.choices[0] if q.choices else nothing)
        for q in protocol.screening.questions
    }


def _screening(
    protocol: Protocol,
    patient: Patient,
    staff: StaffMember,
    answers: dict[str, Any],
    at: datetime,
) -> Screening:
    result = screen(protocol, answers, at.date())
    screening, _ = Screening.objects.update_or_create(
        patient=patient,
        defaults={
            "answers": frozen(answers),
            "status": result.status.value,
            "earliest_date": result.earliest_date,
            "result": frozen(result),
            "protocol_id": protocol.effective_id,
            "protocol_version": protocol.version,
            "screened_by": staff,
            "screened_at": at,
        },
    )
    return screening


def _red_flag_check_in(protocol: Protocol, treatment: Treatment, at: datetime) -> CheckIn:
    created_at = at - timedelta(hours=2)
    hours_after = (created_at - treatment.treated_at).total_seconds() / 3600
    factors = Factors(
        areas=resolve_areas(protocol, treatment.areas),
        values={"needle_depth_mm": DEMO_DEPTH_MM},
    )
    result = triage(protocol, [symptom_report(protocol, "discharge")], hours_after, factors)
    check_in, _ = CheckIn.objects.update_or_create(
        treatment=treatment,
        defaults={
            "clinic": treatment.patient.clinic,
            "symptoms": [{"symptom": "discharge"}],
            "trend": Trend.WORSENING,
            "free_text": "Yellow fluid from two spots on my cheek since this morning.",
            "level": result.level.value,
            "result": frozen(result),
            "hours_after": hours_after,
            "created_at": created_at,
            "reviewed_at": None,
            "reviewed_by": None,
            "review_note": "",
        },
    )
    return check_in
