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

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from aftercare.web import audit, clock, two_factor
from aftercare.web.clinic import session_limits
from aftercare.web.clinic.models import Clinic, Outcome, Patient, Role, StaffMember

__all__ = [
    "PatientRequest",
    "StaffRequest",
    "StaffView",
    "admin_required",
    "end_patient_session",
    "patient_required",
    "scoped",
    "session_patient",
    "staff_required",
    "staff_signing_in",
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
    """Signed-in, active staff of a clinic, with their second factor when they have or need
    one; ``request.staff`` is their membership."""
    return _staff(view, second_factor=True)


def staff_signing_in(view: StaffView[P]) -> View[P]:
    """Staff between their password and their second factor: the pages that ask for it or
    set it up."""
    return _staff(view, second_factor=False)


def _staff(view: StaffView[P], *, second_factor: bool) -> View[P]:
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        # Django signs out deactivated users: their sessions stop resolving to a user.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        members = StaffMember.objects.select_related("clinic", "user")
        staff = (
            two_factor.with_second_factor(members)
            .filter(user_id=request.user.pk, user__is_active=True)
            .first()
        )
        if staff is None:
            return render(request, "aftercare/forbidden.html", status=403)
        ended = session_limits.staff_session_end(request.session, staff.clinic, clock.now())
        if ended is not None:
            logout(request)
            messages.info(request, ended)
            return redirect_to_login(request.get_full_path())
        if second_factor and (detour := _second_factor_detour(request, staff)):
            return detour
        staff_request = cast(StaffRequest, request)
        staff_request.staff = staff
        return view(staff_request, *args, **kwargs)

    update_wrapper(wrapper, view)
    return wrapper


def _second_factor_detour(request: HttpRequest, staff: StaffMember) -> HttpResponse | None:
    """Where staff go before any page: to give their second factor, or to set one up."""
    if two_factor.is_verified(request):
        return None
    if getattr(staff, "has_app_device", False):
        page = "accounts:two_factor_verify"
    elif two_factor.is_required(staff):
        page = "accounts:two_factor_setup"
    else:
        return None
    return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")


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
    session_limits.begin(request.session, clock.now())


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
    now = clock.now()
    if datetime.fromisoformat(until) <= now:
        request.session.flush()
        return None
    patient = Patient.objects.select_related("clinic").filter(pk=patient_id).first()
    if patient is None or not session_limits.patient_session_live(
        request.session, patient.portal_sessions_ended_at, now
    ):
        request.session.flush()
        return None
    return patient
