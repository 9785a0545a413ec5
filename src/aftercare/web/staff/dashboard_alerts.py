"""The dashboard's open alerts: check-ins that asked the patient to contact the clinic (or
call 999) and that nobody has reviewed yet, most urgent first, a page at a time.

The boxes above the list ("2 patients asked to contact the clinic now") count every open
alert, not the page's: when the alerts fit on one page they are counted from its rows; past
that, from the (treatment, level) pairs of the open alerts, so a patient who sends a
hundred check-ins still costs the page one row each for fifty of them, not a hundred rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from aftercare.engine.explain import day_heading
from aftercare.engine.timeline import day_number
from aftercare.protocols.schema import Protocol
from aftercare.web.care.summary import local_moment
from aftercare.web.clinic.models import CheckIn, Clinic, Level, Treatment
from aftercare.web.paths import path_for
from aftercare.web.protocol import record_protocol
from aftercare.web.staff.row_pages import PAGE_SIZE, RowPage

__all__ = [
    "ALERT_LEVELS",
    "Alert",
    "AlertCounts",
    "alert_page",
    "day_after",
    "open_alerts",
    "symptom_labels",
]

ALERT_LEVELS = (Level.CALL_999, Level.CONTACT_CLINIC_NOW, Level.CONTACT_CLINIC)
URGENT_LEVELS = frozenset((Level.CALL_999, Level.CONTACT_CLINIC_NOW))


@dataclass(frozen=True, slots=True)
class Alert:
    check_in: CheckIn
    symptoms: tuple[str, ...]
    when: str
    day: str  # "Day 3", as explain heads it
    patient_url: str = ""
    review_url: str = ""


@dataclass(frozen=True, slots=True)
class AlertCounts:
    """How many people the open alerts come from: one patient's three check-ins are one
    call. ``urgent``: those asked to contact the clinic now or call 999; ``emergency``:
    those told to call 999."""

    patients: int
    urgent: int
    emergency: int


def day_after(hours: float) -> int:
    """Day N after treatment, where day 0 is the first 24 elapsed hours (and any time before)."""
    return day_number(hours) or 0


def symptom_labels(protocol: Protocol, symptoms: Iterable[Any]) -> tuple[str, ...]:
    """The protocol's plain words for the symptom ids a check-in stored, each with how bad
    the patient said it is when they said: "Bruising (severe)"."""
    known = protocol.index.symptoms
    labels = []
    for item in symptoms:
        symptom_id = str(item.get("symptom", "")) if isinstance(item, dict) else str(item)
        symptom = known.get(symptom_id)
        label = symptom.label if symptom is not None else symptom_id
        severity = item.get("severity") if isinstance(item, dict) else None
        labels.append(f"{label} ({severity})" if severity else label)
    return tuple(labels)


def _unreviewed(clinic: Clinic) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(clinic=clinic, level__in=ALERT_LEVELS, reviewed_at__isnull=True)


def open_alerts(clinic: Clinic) -> QuerySet[CheckIn]:
    """Unreviewed check-ins that asked the patient to contact the clinic, most urgent first.

    Read by the check-in's own clinic (the ``checkin_clinic_open`` index), and their
    treatments and patients by id in a second query. Joined in one, PostgreSQL guesses
    the unreviewed alerts from each condition alone (most check-ins are never reviewed,
    most alerts are): hundreds instead of a few, and it reads every treatment of the
    chain to join them.
    """
    urgency = Case(
        When(level=Level.CALL_999, then=Value(0)),
        When(level=Level.CONTACT_CLINIC_NOW, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    treatments = Treatment.objects.filter(patient__clinic=clinic).select_related("patient")
    return (
        _unreviewed(clinic)
        .prefetch_related(Prefetch("treatment", queryset=treatments))
        .annotate(urgency=urgency)
        .order_by("urgency", "created_at", "pk")
    )


def alert_page(clinic: Clinic, number: int) -> tuple[RowPage[Alert], AlertCounts]:
    """Page ``number`` of the open alerts, and the count of every open alert's patients."""
    start = (number - 1) * PAGE_SIZE
    found = list(open_alerts(clinic)[start : start + PAGE_SIZE + 1])
    patient_path, review_path = path_for("staff:patient"), path_for("staff:check_in")
    rows = [
        Alert(
            check_in=check_in,
            symptoms=symptom_labels(record_protocol(check_in.treatment, clinic), check_in.symptoms),
            when=local_moment(check_in.created_at, clinic.time_zone),
            day=day_heading(day_after(check_in.hours_after)),
            patient_url=patient_path(check_in.treatment.patient_id),
            review_url=review_path(check_in.pk),
        )
        for check_in in found[:PAGE_SIZE]
    ]
    page = RowPage(rows, number, len(found) > PAGE_SIZE)
    if number == 1 and not page.more:  # every open alert is on this page
        pairs = {(alert.check_in.treatment.patient_id, alert.check_in.level) for alert in rows}
    else:
        pairs = _patient_levels(clinic)
    return page, _counted(pairs)


def _patient_levels(clinic: Clinic) -> set[tuple[int, str]]:
    """The (patient, level) pairs of every open alert: the distinct (treatment, level)
    pairs from the check-ins' own index, then their treatments' patients by id."""
    pairs = set(_unreviewed(clinic).values_list("treatment_id", "level").distinct())
    owners = dict(
        Treatment.objects.filter(
            pk__in={treatment for treatment, _ in pairs}, patient__clinic=clinic
        ).values_list("pk", "patient_id")
    )
    return {(owners[treatment], level) for treatment, level in pairs if treatment in owners}


def _counted(pairs: set[tuple[int, str]]) -> AlertCounts:
    return AlertCounts(
        patients=len({patient for patient, _ in pairs}),
        urgent=len({patient for patient, level in pairs if level in URGENT_LEVELS}),
        emergency=len({patient for patient, level in pairs if level == Level.CALL_999}),
    )
