"""Create a clinic, performing the default procedure, and its first administrator: how a
real installation starts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from aftercare.protocols.load import DEFAULT_PROTOCOL
from aftercare.web.clinic.models import Clinic, ClinicProcedure, Role, StaffMember

__all__ = ["NewClinic", "create_clinic"]


@dataclass(frozen=True, slots=True)
class NewClinic:
    clinic: Clinic
    username: str
    password: str


@transaction.atomic
def create_clinic(
    *,
    slug: str,
    name: str,
    phone: str,
    urgent_phone: str,
    admin_username: str,
    email: str = "",
    time_zone: str = "Europe/London",
) -> NewClinic:
    """A new clinic with one clinic administrator, whose one-time password is returned.

    Raises ValidationError, naming the field, for a bad value or a slug or username in use.
    """
    clinic = Clinic(
        slug=slug,
        name=name,
        phone=phone,
        urgent_phone=urgent_phone,
        email=email,
        time_zone=time_zone,
    )
    clinic.full_clean()
    user_model = get_user_model()
    if user_model.objects.filter(username=admin_username).exists():
        raise ValidationError({"admin": f"the username {admin_username!r} is taken"})
    password = secrets.token_urlsafe(12)
    user = user_model(username=admin_username)
    user.set_password(password)
    user.full_clean()
    clinic.save()
    ClinicProcedure.objects.create(clinic=clinic, protocol_id=DEFAULT_PROTOCOL)
    user.save()
    StaffMember.objects.create(user=user, clinic=clinic, role=Role.CLINIC_ADMIN)
    return NewClinic(clinic, admin_username, password)
