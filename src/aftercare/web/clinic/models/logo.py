from __future__ import annotations

import hashlib

from django.db import models, transaction

from aftercare.web.clinic.models.clinic import Clinic

__all__ = ["ClinicLogo", "logo_png", "set_logo"]


class ClinicLogo(models.Model):
    """The clinic's logo as a PNG that ``branding.prepare_logo`` wrote.

    A row of its own, not a field of ``Clinic``: the clinic is read with every staff
    request, and the picture is only needed by a leaflet or an email. Kept in the database,
    so every web process and worker on any machine has the same one."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, primary_key=True, related_name="logo"
    )
    png = models.BinaryField()
    digest = models.CharField(max_length=64)


def set_logo(clinic: Clinic, png: bytes | None) -> None:
    """Keep ``png`` as the clinic's logo, or remove the logo (``None``)."""
    with transaction.atomic():
        if png is None:
            ClinicLogo.objects.filter(clinic=clinic).delete()
            clinic.logo_digest = ""
        else:
            clinic.logo_digest = hashlib.sha256(png).hexdigest()
            ClinicLogo.objects.update_or_create(
                clinic=clinic, defaults={"png": png, "digest": clinic.logo_digest}
            )
        Clinic.objects.filter(pk=clinic.pk).update(logo_digest=clinic.logo_digest)


def logo_png(clinic_id: int, digest: str) -> bytes:
    """The clinic's logo when it is still the one ``digest`` names; b"" otherwise."""
    if not digest:
        return b""
    row = ClinicLogo.objects.filter(clinic_id=clinic_id, digest=digest).values_list("png")
    found = row.first()
    return bytes(found[0]) if found else b""
