"""Who may see what: staff scoped to their clinic, patients to themselves.

Views take a ``StaffRequest`` or a ``PatientRequest`` through the decorators below, and
look records up only through ``scoped`` with a queryset already limited to the clinic or
the patient. A record outside it answers 404, the same as a record that does not exist,
and the denial goes to the audit log with the id that was asked for and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import update_wrapper
from typing import Concatenate, ParamSpec, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from aftercare.web import audit, clock
from aftercare.web.clinic.models import Clinic, Outcome, Patient, Role, StaffMember

__all__ = [
    "PatientRequest",
    "StaffRequest",
    "admin_required",
    "end_patient_session",
    "patient_required",
    "scoped",
    "session_patient",
    "staff_required",
    "start_patient_session",
]

P = ParamSpec("P")
M = TypeVar("M", bound=models.Model)

_PATIENT_KEY = "aftercare.patient"
_UNTIL_KEY = "aftercare.patient_until"


class StaffRequest(HttpRequest):
    staff: StaffMember


class PatientRequest(HttpRequest):
    patient: Patient


StaffView = Callable[Concatenate[StaffRequest, P], HttpResponse]
PatientView = Callable[Concatenate[PatientRequest, P], HttpResponse]
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def staff_required(view: StaffView[P]) -> View[P]:
    """Signed-in, active staff of a clinic; ``request.staff`` is their membership."""

    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        # Django signs out deactivated users: their sessions stop resolving to a user.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        staff = (
            StaffMember.objects.select_related("clinic", "user")
            .filter(user_id=request.user.pk, user__is_active=True)
            .first()
        )
        if staff is None:
            return render(request, "aftercare/forbidden.html", status=403)
        staff_request = cast(StaffRequest, request)
        staff_request.staff = staff
        return view(staff_request, *args, **kwargs)

    update_wrapper(wrapper, view)
    return wrapper


def admin_required(view: StaffView[P]) -> View[P]:
    """Staff with the clinic administrator role."""

    def check_role(request: StaffRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if request.staff.role != Role.CLINIC_ADMIN:
            audit.record(
                request,
                "admin.denied",
                clinic=request.staff.clinic,
                object_type="view",
                object_id=request.resolver_match.url_name if request.resolver_match else "",
                outcome=Outcome.DENIED,
            )
            return render(request, "aftercare/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    update_wrapper(check_role, view)
    return staff_required(check_role)


def scoped(
    request: HttpRequest,
    queryset: models.QuerySet[M],
    pk: object,
    *,
    clinic: Clinic,
    action: str,
) -> M:
    """The record ``pk`` of ``queryset`` (already scoped), or a 404 that is audited."""
    try:
        return queryset.get(pk=pk)
    except ObjectDoesNotExist:
        audit.record(
            request,
            action,
            clinic=clinic,
            object_type=queryset.model._meta.model_name or "",
            object_id=pk,
            outcome=Outcome.DENIED,
        )
        raise Http404("not found") from None


def start_patient_session(request: HttpRequest, patient: Patient, until: datetime) -> None:
    """Sign ``request``'s browser in as ``patient`` alone, until ``until``."""
    # A new session key: nothing from before the link was opened carries over.
    request.session.flush()
    request.session[_PATIENT_KEY] = patient.pk
    request.session[_UNTIL_KEY] = until.isoformat()
    request.session.set_expiry(until)


def end_patient_session(request: HttpRequest) -> None:
    request.session.flush()


def patient_required(view: PatientView[P]) -> View[P]:
    """A browser signed in through a patient link; ``request.patient`` is that patient."""

    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        patient = session_patient(request)
        if patient is None:
            return redirect("portal:signed_out")
        patient_request = cast(PatientRequest, request)
        patient_request.patient = patient
        return view(patient_request, *args, **kwargs)

    update_wrapper(wrapper, view)
    return wrapper


def session_patient(request: HttpRequest) -> Patient | None:
    """The patient this browser is signed in as through a link, if the session is live."""
    patient_id = request.session.get(_PATIENT_KEY)
    until = request.session.get(_UNTIL_KEY)
    if patient_id is None or until is None:
        return None
    if datetime.fromisoformat(until) <= clock.now():
        request.session.flush()
        return None
    return Patient.objects.select_related("clinic").filter(pk=patient_id).first()
