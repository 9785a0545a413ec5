"""A clinic's key for the JSON API: a random secret, of which only the SHA-256 hash is kept.

The raw key is shown once, when it is made. Its first characters (the prefix) are stored
in clear so that staff can tell their keys apart in the list; they identify a key, they
cannot be used as one. A revoked key stays in the table, so the audit log still names it.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import models

from aftercare.web import clock
from aftercare.web.clinic.models.clinic import Clinic
from aftercare.web.clinic.models.link import hash_token
from aftercare.web.clinic.models.staff import StaffMember

__all__ = ["KEY_PREFIX", "Access", "ApiKey"]

# "ak_" says what the string is when it turns up in a config file or a secret scanner.
KEY_PREFIX = "ak_"
KEY_BYTES = 32
SHOWN_CHARS = 10


class Access(models.TextChoices):
    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


class ApiKey(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=100)
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.READ)
    prefix = models.CharField(max_length=SHOWN_CHARS)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.default_now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-pk")

    @classmethod
    def issue(
        cls,
        clinic: Clinic,
        name: str,
        access: Access,
        at: datetime,
        created_by: StaffMember | None = None,
    ) -> tuple[ApiKey, str]:
        """A new key for ``clinic``; the raw key is returned here and never again."""
        raw = KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
        key = cls.objects.create(
            clinic=clinic,
            name=name,
            access=access,
            prefix=raw[:SHOWN_CHARS],
            key_hash=hash_token(raw),
            created_by=created_by,
            created_at=at,
        )
        return key, raw

    @classmethod
    def find(cls, raw: str) -> ApiKey | None:
        """The key ``raw`` is, revoked or not, with its clinic; None for an unknown key."""
        if not raw.startswith(KEY_PREFIX) or not raw.isascii():
            return None
        return cls.objects.select_related("clinic").filter(key_hash=hash_token(raw)).first()

    @property
    def can_write(self) -> bool:
        return self.access == Access.READ_WRITE

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
