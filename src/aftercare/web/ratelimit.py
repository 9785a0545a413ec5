"""Rate limits kept in the database, so every process shares them: asking for a new patient
link, and asking for a password reset.

A request counts against the contact asked for and against the client's address; only
keyed hashes of both are stored, and rows older than a day are removed as requests come in.
A refused request is not recorded, so "try again in an hour" stays true.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from aftercare.web.clinic.models import LinkRequest

__all__ = [
    "OPENS_PER_CLIENT",
    "PER_CLIENT",
    "PER_CONTACT",
    "WINDOW",
    "admit",
    "admit_open",
    "keyed_hash",
]

PER_CONTACT = 3
PER_CLIENT = 10
# Opening links (the page and its button): generous for a person, a wall for a script.
OPENS_PER_CLIENT = 30
_OPEN = "link-open"
WINDOW = timedelta(hours=1)
KEEP = timedelta(days=1)


def keyed_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 keyed with the secret key: without the key the hash cannot be tested
    against a list of likely email addresses or phone numbers."""
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def admit(contact: str, address: str, at: datetime) -> bool:
    """Record a request for ``contact`` from ``address``; False, recording nothing, when
    either has reached its limit for the hour."""
    LinkRequest.objects.filter(at__lt=at - KEEP).delete()
    row = LinkRequest.objects.create(
        contact_hash=keyed_hash("contact", contact), ip_hash=keyed_hash("ip", address), at=at
    )
    # Counted after our own insert: SQLite's immediate transactions then serialise requests
    # exactly; on PostgreSQL two simultaneous requests may both pass, one over the limit.
    recent = LinkRequest.objects.filter(at__gt=at - WINDOW, at__lte=at)
    over = (
        recent.filter(contact_hash=row.contact_hash).count() > PER_CONTACT
        or recent.filter(ip_hash=row.ip_hash).count() > PER_CLIENT
    )
    if over:
        transaction.set_rollback(True)
    return not over


@transaction.atomic
def admit_open(address: str, at: datetime) -> bool:
    """Record that ``address`` opened (or tried to open) a link; False, recording nothing,
    once it has done so ``OPENS_PER_CLIENT`` times this hour. Counted apart from requests
    for new links."""
    LinkRequest.objects.filter(at__lt=at - KEEP).delete()
    row = LinkRequest.objects.create(
        contact_hash=keyed_hash(_OPEN, ""), ip_hash=keyed_hash(_OPEN, address), at=at
    )
    recent = LinkRequest.objects.filter(at__gt=at - WINDOW, at__lte=at, ip_hash=row.ip_hash)
    if recent.count() > OPENS_PER_CLIENT:
        transaction.set_rollback(True)
        return False
    return True
