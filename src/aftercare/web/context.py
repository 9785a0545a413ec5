"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from aftercare.web import clock
from aftercare.web.portal import brand
from aftercare.web.reminders.trouble import clinic_trouble

__all__ = ["site"]


def site(request: HttpRequest) -> dict[str, Any]:
    """The signed-in staff member or patient, when a view has set one, and the look of the
    patient's clinic."""
    staff = getattr(request, "staff", None)
    patient = getattr(request, "patient", None)
    clinic = patient.clinic if patient is not None else None
    context = {
        "staff": staff,
        "portal_patient": patient,
        # The portal's look: the clinic's colour and logo (read with the patient: no query).
        "accent_href": brand.accent_href(clinic),
        "logo_href": brand.logo_href(clinic),
    }
    if staff is not None:
        # Only read when a staff page shows its banner.
        context["message_trouble"] = SimpleLazyObject(
            lambda: clinic_trouble(staff.clinic, clock.now())
        )
    return context
