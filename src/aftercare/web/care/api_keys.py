"""A clinic's API keys: the list, with who made and revoked each, and revoking one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from aftercare.web.care.summary import local_moment, staff_name
from aftercare.web.clinic.models import ApiKey, Clinic, StaffMember

__all__ = [
    "ApiKeyRow",
    "api_key_rows",
    "clinic_keys",
    "revoke",
]


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


def revoke(key: ApiKey, by: StaffMember | None, at: datetime) -> bool:
    """Revoke ``key`` unless it already is; True when this call revoked it."""
    # A guarded update: of two revocations at once, exactly one changes the row.
    changed = ApiKey.objects.filter(pk=key.pk, revoked_at=None).update(revoked_at=at, revoked_by=by)
    if changed:
        key.revoked_at, key.revoked_by = at, by
    return changed == 1
