"""Two-factor sign-in for staff (django-otp): an authenticator app, and recovery codes.

Clinic administrators always need a second factor; practitioners when their clinic says so,
or when they have set one up themselves. A staff member with a confirmed device must use it
at every sign-in; one who needs a device and has none is sent to set it up first.
"""

from __future__ import annotations

from base64 import b32encode

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aftercare.web.clinic.models import Role, StaffMember

__all__ = [
    "APP_DEVICE",
    "RECOVERY_CODES",
    "RECOVERY_DEVICE",
    "app_device",
    "has_second_factor",
    "is_required",
    "is_verified",
    "new_recovery_codes",
    "remove_second_factor",
    "secret_of",
    "with_second_factor",
]

APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"
RECOVERY_CODES = 10


def is_required(staff: StaffMember) -> bool:
    return staff.role == Role.CLINIC_ADMIN or staff.clinic.require_two_factor


def has_second_factor(user: AbstractBaseUser) -> bool:
    return bool(user_has_device(user, confirmed=True))


def with_second_factor(members: QuerySet[StaffMember]) -> QuerySet[StaffMember]:
    """``members`` with ``has_app_device`` read in the same query (every staff page asks).

    The recovery codes are made with the app and do not count on their own."""
    devices = TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
    return members.annotate(has_app_device=Exists(devices))


def is_verified(request: HttpRequest) -> bool:
    """Whether this session signed in with its second factor (django-otp's middleware)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified is not None and verified())


def app_device(user: AbstractBaseUser) -> TOTPDevice:
    """The user's authenticator-app device, a new unconfirmed one if they have none."""
    device = TOTPDevice.objects.filter(user_id=user.pk, name=APP_DEVICE).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator app: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with new ones; each works once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remove_second_factor(user: AbstractBaseUser) -> None:
    for device in devices_for_user(user, confirmed=None):
        device.delete()
