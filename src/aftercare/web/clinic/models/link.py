"""A patient's access link: a random token, of which only the SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import models

from aftercare.web import clock
from aftercare.web.clinic.models.patient import Patient

__all__ = ["TOKEN_BYTES", "PatientLink", "hash_token"]

# 32 random bytes = 256 bits; the design asks for at least 128.
TOKEN_BYTES = 32
DEFAULT_LIFETIME = timedelta(days=7)


def hash_token(token: str) -> str:
    # A fast hash is enough: the token is 256 random bits, so there is nothing to guess.
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class PatientLink(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.default_now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(
        cls, patient: Patient, at: datetime, lifetime: timedelta = DEFAULT_LIFETIME
    ) -> tuple[PatientLink, str]:
        """A new link for ``patient``; the raw token is returned here and never again."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        link = cls.objects.create(
            patient=patient,
            token_hash=hash_token(token),
            created_at=at,
            expires_at=at + lifetime,
        )
        return link, token

    @classmethod
    def find(cls, token: str) -> PatientLink | None:
        """The link ``token`` belongs to, usable or not; None for an unknown token."""
        try:
            return cls.objects.select_related("patient").get(token_hash=hash_token(token))
        except (cls.DoesNotExist, UnicodeEncodeError):
            return None

    def is_usable(self, at: datetime) -> bool:
        return self.revoked_at is None and self.used_at is None and at < self.expires_at

    def __str__(self) -> str:
        return f"link for patient {self.patient_id}, expires {self.expires_at:%Y-%m-%d %H:%M}"
