"""Alerts: check-ins whose triage asked the patient to contact the clinic, for review.

A review is claimed with a guarded update, as in the web app: of two systems reviewing
at once, the second is told (409) that it was already reviewed, and the first note stays.
"""

# No "from __future__ import annotations": ninja reads these signatures at import time.

from typing import Literal

from django.db.models import QuerySet
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from aftercare.web import audit, clock
from aftercare.web.access import scoped
from aftercare.web.actor import Actor
from aftercare.web.api.auth import KeyRequest, require_write
from aftercare.web.api.common import only_known
from aftercare.web.api.patients import Pages
from aftercare.web.api.present import alert_out
from aftercare.web.api.problems import responses
from aftercare.web.api.record_schemas import AlertOut, AlertReview
from aftercare.web.care.reviews import review_check_in
from aftercare.web.clinic.models import CheckIn, Level

__all__ = ["router"]

router = Router(tags=["alerts"])


class AlertFilter(Schema):
    level: Literal["contact_clinic", "contact_clinic_now", "call_999"] | None = None
    reviewed: bool | None = None
    ordering: Literal["created_at", "-created_at"] = "-created_at"


def _alerts(request: KeyRequest) -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.filter(clinic=request.api_key.clinic)
        .exclude(level=Level.EXPECTED)
        .select_related("treatment", "reviewed_by__user", "reviewed_by_key")
    )


class _LazyAlerts:
    """Sliced by the paginator first, so only one page of rows is read and converted."""

    def __init__(self, rows: QuerySet[CheckIn], urgent_phone: str) -> None:
        self.rows, self.urgent_phone = rows, urgent_phone

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[AlertOut]:
        return [alert_out(row, self.urgent_phone) for row in self.rows[page]]


@router.get("alerts", response=responses({200: list[AlertOut]}, 401))
@paginate(Pages)
def list_alerts(request: KeyRequest, filters: Query[AlertFilter]) -> _LazyAlerts:
    """The clinic's alerts, newest first; ``reviewed=false`` for those still to review;
    any other query parameter is refused (422)."""
    only_known(request, AlertFilter, Pages.Input)
    alerts = _alerts(request)
    if filters.level is not None:
        alerts = alerts.filter(level=filters.level)
    if filters.reviewed is not None:
        alerts = alerts.filter(reviewed_at__isnull=not filters.reviewed)
    clinic = request.api_key.clinic
    audit.record(request, "api.alert.list", clinic=clinic)
    return _LazyAlerts(alerts.order_by(filters.ordering, "-pk"), clinic.urgent_phone)


def _alert_of(request: KeyRequest, pk: int, action: str) -> CheckIn:
    alerts = _alerts(request).select_related("treatment__patient")
    return scoped(request, alerts, pk, clinic=request.api_key.clinic, action=action)


def _audit(request: KeyRequest, action: str, alert: CheckIn) -> None:
    clinic = request.api_key.clinic
    audit.record(request, action, clinic=clinic, patient=alert.treatment.patient, obj=alert)


@router.get("alerts/{int:pk}", response=responses({200: AlertOut}, 401, 404))
def get_alert(request: KeyRequest, pk: int) -> AlertOut:
    alert = _alert_of(request, pk, "checkin.view")
    _audit(request, "checkin.view", alert)
    return alert_out(alert, request.api_key.clinic.urgent_phone)


@router.patch("alerts/{int:pk}", response=responses({200: AlertOut}, 401, 403, 404, 409))
def review_alert(request: KeyRequest, pk: int, payload: AlertReview) -> AlertOut:
    """Mark the alert reviewed, with a note; a review cannot be undone."""
    require_write(request)
    if not payload.reviewed:
        raise HttpError(409, "A review cannot be undone; send reviewed: true.")
    alert = _alert_of(request, pk, "checkin.review")
    clinic, note = request.api_key.clinic, payload.note.strip()
    if not review_check_in(Actor.of(request), clinic, alert, note, clock.now()):
        raise HttpError(409, "This alert has already been reviewed; the earlier note is kept.")
    alert.refresh_from_db()
    return alert_out(alert, request.api_key.clinic.urgent_phone)
