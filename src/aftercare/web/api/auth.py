"""Who is calling: a clinic's API key, a patient's portal session, or nobody.

A key is sent as ``Authorization: Bearer ak_…``. An unknown or revoked key is a 401 with
the same words either way; a read-only key asking to write is a 403. The key found is put
on the request as ``request.api_key`` (the audit log names it as the actor), and every
query the routes make starts from ``request.api_key.clinic``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer

from aftercare.web import clock
from aftercare.web.access import session_patient
from aftercare.web.clinic.models import ApiKey, Clinic, Patient

__all__ = [
    "ANONYMOUS",
    "ClinicKey",
    "KeyRequest",
    "OptionalClinicKey",
    "PatientRequest",
    "PatientSession",
    "calling_clinic",
    "require_write",
]

# How stale "last used" may get: recording every request would make every read a write.
LAST_USED_PRECISION = timedelta(minutes=5)
INVALID_KEY = "The API key is not valid: it may be mistyped or revoked."


class KeyRequest(HttpRequest):
    api_key: ApiKey


class PatientRequest(HttpRequest):
    patient: Patient


class ClinicKey(HttpBearer):
    """A clinic's API key in the Authorization header."""

    openapi_name = "ClinicKey"
    openapi_description = "A clinic's API key: `Authorization: Bearer ak_…`."

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get("Authorization"):
            return None
        key = super().__call__(request)
        if key is None:
            # Something was sent and it is not a live key: say so, rather than "missing".
            raise AuthenticationError(401, INVALID_KEY)
        return key

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = ApiKey.find(token.strip())
        if key is None or key.revoked_at is not None:
            return None
        now = clock.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        cast(KeyRequest, request).api_key = key
        return key


class Anonymous:
    """The caller of a stateless route who sent no key."""

    def __bool__(self) -> bool:
        # ninja treats a falsy result as "not authenticated"; nobody is still somebody here.
        return True


ANONYMOUS = Anonymous()


class OptionalClinicKey(ClinicKey):
    """A key if one is sent (then it must be valid), otherwise an anonymous caller."""

    openapi_name = "OptionalClinicKey"

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get("Authorization"):
            return ANONYMOUS
        return super().__call__(request)


class PatientSession(APIKeyCookie):
    """A browser signed in through a patient link (the portal's session cookie).

    ninja checks the CSRF token on unsafe methods for cookie authentication.
    """

    openapi_name = "PatientSession"
    openapi_description = "The patient portal's session, started by opening a patient link."

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Patient | None:
        if not key:
            return None
        patient = session_patient(request)
        if patient is not None:
            cast(PatientRequest, request).patient = patient
        return patient


def calling_clinic(request: HttpRequest) -> Clinic | None:
    """The clinic whose key made this request, or None for an anonymous caller."""
    key = getattr(request, "api_key", None)
    return key.clinic if key is not None else None


def require_write(request: KeyRequest) -> None:
    if not request.api_key.can_write:
        raise HttpError(
            403, "This API key is read-only; ask a clinic administrator for a key that can write."
        )
