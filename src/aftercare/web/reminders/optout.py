"""Opt-out addresses: every message carries one, signed so it names one patient and channel.

The signature (Django's signing, keyed by the secret key) stands in for a password: the
link works without signing in, for as long as the secret key stays the same, and cannot
be altered to stop another patient's messages.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

__all__ = ["optout_token", "optout_url", "read_optout_token"]

_SALT = "aftercare.reminders.optout"


def optout_token(patient_id: int, channel: str) -> str:
    return signing.dumps({"p": patient_id, "c": channel}, salt=_SALT, compress=True)


def read_optout_token(token: str) -> tuple[int, str] | None:
    """The (patient id, channel) ``token`` names, or None when it is not one of ours."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    patient_id, channel = data.get("p"), data.get("c")
    if not isinstance(patient_id, int) or channel not in {"email", "sms"}:
        return None
    return patient_id, channel


def optout_url(patient_id: int, channel: str) -> str:
    """The address in every message that stops messages on ``channel`` (confirmed by a POST)."""
    path = reverse("portal:stop", kwargs={"token": optout_token(patient_id, channel)})
    return f"{settings.BASE_URL}{path}"
