"""Requests for a fresh patient link, kept only to rate-limit them across web processes.

Neither the address asked for nor the client's address is stored: only keyed hashes, so
the table says how often something was asked for without saying what or by whom.
"""

from __future__ import annotations

from django.db import models

from aftercare.web import clock

__all__ = ["LinkRequest"]


class LinkRequest(models.Model):
    # HMAC-SHA256 with the secret key, of the normalised contact and of the client address.
    contact_hash = models.CharField(max_length=64)
    ip_hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=clock.default_now)

    class Meta:
        indexes = (
            # The new-link rate limit: requests per contact and per client in the last hour,
            # and the clean-up of rows older than a day.
            models.Index(fields=["contact_hash", "at"], name="linkrequest_contact_at"),
            models.Index(fields=["ip_hash", "at"], name="linkrequest_ip_at"),
            models.Index(fields=["at"], name="linkrequest_at"),
        )

    def __str__(self) -> str:
        return f"link request at {self.at:%Y-%m-%d %H:%M}"
