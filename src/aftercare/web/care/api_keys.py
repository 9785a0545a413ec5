"""A clinic's API keys: issuing one, the list with who made and revoked each, and revoking.

The staff page and the command line both come here: a key's name is checked once
(``name_problem``), and issuing and revoking are audited with the ``Actor`` who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from aftercare.web import audit
from aftercare.web.actor import Actor
from aftercare.web.care.summary import local_moment, staff_name
from aftercare.web.clinic.models import Access, ApiKey, Clinic
from aftercare.web.clinic.validators import validate_one_line, validate_visible_text

__all__ = [
    "NAME_MAX_LENGTH",
    "ApiKeyRow",
    "api_key_rows",
    "clinic_keys",
    "issue",
    "name_problem",
    "revoke",
]

NAME_MAX_LENGTH = 100


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    key: ApiKey
    created: str
    created_by: str
    last_used: str
    revoked: str
    revoked_by: str

    @property
    def is_live(self) -> bool:
        return self.key.revoked_at is None


def clinic_keys(clinic: Clinic) -> QuerySet[ApiKey]:
    """The keys of ``clinic``, revoked ones too, with who created and revoked them."""
    return ApiKey.objects.filter(clinic=clinic).select_related(
        "created_by__user", "revoked_by__user"
    )


def api_key_rows(clinic: Clinic) -> list[ApiKeyRow]:
    """Every key of ``clinic``, newest first, its times on the clinic's clock."""
    zone_name = clinic.time_zone

    def moment(at: datetime | None) -> str:
        return "" if at is None else local_moment(at, zone_name)

    return [
        ApiKeyRow(
            key=key,
            created=moment(key.created_at),
            created_by=staff_name(key.created_by),
            last_used=moment(key.last_used_at),
            revoked=moment(key.revoked_at),
            revoked_by=staff_name(key.revoked_by),
        )
        for key in clinic_keys(clinic)
    ]


def name_problem(name: str) -> str | None:
    """What is wrong with ``name`` for a key, in words for whoever typed it; None if fine."""
    if not name.strip():
        return "Give the key a name."
    if len(name) > NAME_MAX_LENGTH:
        return f"Keep the name to {NAME_MAX_LENGTH} characters (it has {len(name)})."
    try:
        validate_visible_text(name)
        validate_one_line(name)
    except ValidationError as error:
        return str(error.messages[0])
    return None


def issue(
    actor: Actor, clinic: Clinic, name: str, access: Access, at: datetime
) -> tuple[ApiKey, str]:
    """A new key for ``clinic`` and the key itself, shown once; ``name`` already checked."""
    with transaction.atomic():
        key, raw = ApiKey.issue(clinic, name, access, at, created_by=actor.staff)
        audit.record(actor, "apikey.create", clinic=clinic, obj=key)
    return key, raw


def revoke(actor: Actor, key: ApiKey, at: datetime) -> bool:
    """Revoke ``key`` unless it already is; True when this call revoked it (and audited)."""
    # A guarded update: of two revocations at once, exactly one changes the row.
    with transaction.atomic():
        changed = ApiKey.objects.filter(pk=key.pk, revoked_at=None).update(
            revoked_at=at, revoked_by=actor.staff
        )
        if changed:
            key.revoked_at, key.revoked_by = at, actor.staff
            audit.record(actor, "apikey.revoke", clinic=key.clinic, obj=key)
    return changed == 1
