"""Who acts on a patient's records: a staff member, a clinic system's API key, the patient,
or the system (a command run on the server, the worker).

The care layer takes an ``Actor``, never a request, so the same use case serves the pages,
the API and the command line; the audit log reads who acted from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from aftercare.web.clinic.models import ApiKey, Patient, StaffMember
from aftercare.web.middleware import request_id

__all__ = ["SYSTEM", "Actor"]


@dataclass(frozen=True, slots=True)
class Actor:
    """At most one of ``staff``, ``api_key`` and ``patient`` acts; none: the system.
    ``request_id`` ties the audit events of one request together ("" outside one)."""

    staff: StaffMember | None = None
    api_key: ApiKey | None = None
    patient: Patient | None = None
    request_id: str = ""

    @classmethod
    def of(cls, request: HttpRequest | None) -> Actor:
        """Whoever ``request`` was signed in as; the system when there is no request."""
        if request is None:
            return SYSTEM
        return cls(
            staff=getattr(request, "staff", None),
            api_key=getattr(request, "api_key", None),
            patient=getattr(request, "patient", None),
            request_id=request_id(request),
        )


SYSTEM = Actor()
