"""The staff dashboard: what needs a person now, who is treated today, who is in aftercare.

Open alerts come first because a "contact the clinic now" check-in waits on a call back.
The page reads four bounded queries, whatever the number of patients, and shows every
time in the clinic's zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpResponse
from django.shortcuts import render

from aftercare.engine.localtime import format_day, hours_between, zone
from aftercare.protocols.schema import Protocol
from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, staff_required
from aftercare.web.clinic.models import CheckIn, Clinic, Level, Patient, Treatment
from aftercare.web.protocol import aftercare_horizon_hours, clinic_protocol
from aftercare.web.staff.summary import local_moment

__all__ = [
    "Alert",
    "TreatmentRow",
    "dashboard",
    "day_after",
    "open_alerts",
    "symptom_labels",
    "undeliverable",
]

ALERT_LEVELS = (Level.CONTACT_CLINIC_NOW, Level.CONTACT_CLINIC)


@dataclass(frozen=True, slots=True)
class Alert:
    check_in: CheckIn
    symptoms: tuple[str, ...]
    when: str
    day: int


@dataclass(frozen=True, slots=True)
class TreatmentRow:
    treatment: Treatment
    when: str
    # Day N after the treatment; None on the list of today's treatments.
    day: int | None


def day_after(hours: float) -> int:
    """Day N after treatment, where day 0 is the first 24 elapsed hours."""
    return max(0, int(hours // 24))


def symptom_labels(protocol: Protocol, symptoms: Iterable[Any]) -> tuple[str, ...]:
    """The protocol's plain words for the symptom ids a check-in stored."""
    known = protocol.index.symptoms
    labels = []
    for item in symptoms:
        symptom_id = str(item.get("symptom", "")) if isinstance(item, dict) else str(item)
        symptom = known.get(symptom_id)
        labels.append(symptom.label if symptom is not None else symptom_id)
    return tuple(labels)


def open_alerts(clinic: Clinic) -> QuerySet[CheckIn]:
    """Unreviewed check-ins that asked the patient to contact the clinic, most urgent first."""
    urgency = Case(
        When(level=Level.CONTACT_CLINIC_NOW, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        CheckIn.objects.filter(
            treatment__patient__clinic=clinic,
            level__in=ALERT_LEVELS,
            reviewed_at__isnull=True,
        )
        .select_related("treatment__patient")
        .annotate(urgency=urgency)
        .order_by("urgency", "created_at", "pk")
    )


def _alerts(clinic: Clinic, protocol: Protocol) -> list[Alert]:
    return [
        Alert(
            check_in=check_in,
            symptoms=symptom_labels(protocol, check_in.symptoms),
            when=local_moment(check_in.created_at, clinic.time_zone),
            day=day_after(check_in.hours_after),
        )
        for check_in in open_alerts(clinic)
    ]


def _local_day_bounds(clinic: Clinic, at: datetime) -> tuple[datetime, datetime]:
    """The UTC instants at which the clinic's calendar day containing ``at`` starts and ends."""
    tz = zone(clinic.time_zone)
    today = at.astimezone(tz).date()
    start = datetime.combine(today, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def _todays_treatments(clinic: Clinic, at: datetime) -> list[TreatmentRow]:
    start, end = _local_day_bounds(clinic, at)
    treatments = Treatment.objects.filter(
        patient__clinic=clinic,
        cancelled_at__isnull=True,
        treated_at__gte=start,
        treated_at__lt=end,
    ).select_related("patient")
    return [
        TreatmentRow(t, local_moment(t.treated_at, clinic.time_zone), None)
        for t in treatments.order_by("treated_at", "pk")
    ]


def _in_aftercare(clinic: Clinic, protocol: Protocol, at: datetime) -> list[TreatmentRow]:
    """Each patient's latest treatment that ended within the aftercare horizon."""
    since = at - timedelta(hours=aftercare_horizon_hours(protocol))
    treatments = (
        Treatment.objects.filter(
            patient__clinic=clinic,
            cancelled_at__isnull=True,
            treated_at__gt=since,
            treated_at__lte=at,
        )
        .select_related("patient")
        .order_by("-treated_at", "-pk")
    )
    latest: dict[int, Treatment] = {}
    for treatment in treatments:
        latest.setdefault(treatment.patient_id, treatment)
    return [
        TreatmentRow(
            t,
            local_moment(t.treated_at, clinic.time_zone),
            day_after(hours_between(t.treated_at, at)),
        )
        for t in _oldest_first(latest.values())
    ]


def undeliverable(clinic: Clinic) -> QuerySet[Patient]:
    """The clinic's patients whose email or mobile a transport refused for good."""
    refused = Q(email_disabled_at__isnull=False) | Q(sms_disabled_at__isnull=False)
    return Patient.objects.filter(refused, clinic=clinic).order_by(
        "family_name", "given_name", "pk"
    )


def _oldest_first(treatments: Iterable[Treatment]) -> Sequence[Treatment]:
    return sorted(treatments, key=lambda t: (t.treated_at, t.pk))


@staff_required
def dashboard(request: StaffRequest) -> HttpResponse:
    clinic = request.staff.clinic
    protocol = clinic_protocol(clinic)
    at = clock.now()
    alerts = _alerts(clinic, protocol)
    audit.record(request, "dashboard.view", clinic=clinic)
    context = {
        "nav": "dashboard",
        "alerts": alerts,
        "urgent_count": sum(1 for a in alerts if a.check_in.level == Level.CONTACT_CLINIC_NOW),
        "today": _todays_treatments(clinic, at),
        "today_label": format_day(at.astimezone(zone(clinic.time_zone)).date()),
        "in_aftercare": _in_aftercare(clinic, protocol, at),
        "undeliverable": list(undeliverable(clinic)),
    }
    return render(request, "aftercare/staff/dashboard.html", context)
