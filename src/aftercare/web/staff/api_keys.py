"""A clinic's API keys, for clinic administrators: the list, a new key, revoking one.

A new key is shown once, on the page that answers the form, and nowhere else: not in an
address, the session or a message, and never in the audit log, which names the key by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, admin_required, scoped
from aftercare.web.clinic.models import Access, ApiKey, Clinic, StaffMember
from aftercare.web.staff.api_key_forms import ApiKeyCreateForm, ApiKeyRevokeForm
from aftercare.web.staff.summary import local_moment, staff_name

__all__ = [
    "ApiKeyRow",
    "api_key_new",
    "api_key_revoke",
    "api_key_rows",
    "api_keys",
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


@admin_required
def api_keys(request: StaffRequest) -> HttpResponse:
    context = {"nav": "api_keys", "rows": api_key_rows(request.staff.clinic)}
    return render(request, "aftercare/staff/api_keys.html", context)


@admin_required
def api_key_new(request: StaffRequest) -> HttpResponse:
    form = ApiKeyCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        clinic = request.staff.clinic
        key, raw = ApiKey.issue(
            clinic,
            form.cleaned_data["name"],
            Access(form.cleaned_data["access"]),
            clock.now(),
            created_by=request.staff,
        )
        audit.record(request, "apikey.create", clinic=clinic, obj=key)
        # Rendered, not redirected: this answer is the only place the key ever appears.
        context = {"nav": "api_keys", "key": key, "raw": raw}
        return render(request, "aftercare/staff/api_key_created.html", context)
    return render(request, "aftercare/staff/api_key_new.html", {"nav": "api_keys", "form": form})


@admin_required
@require_POST
def api_key_revoke(request: StaffRequest) -> HttpResponse:
    clinic = request.staff.clinic
    form = ApiKeyRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a key to revoke from the list.")
        return redirect("staff:api_keys")
    pk = form.cleaned_data["key"]
    key = scoped(request, clinic_keys(clinic), pk, clinic=clinic, action="apikey.revoke")
    if revoke(key, request.staff, clock.now()):
        audit.record(request, "apikey.revoke", clinic=clinic, obj=key)
        messages.success(request, f"The key {key} is revoked; it no longer works.")
    else:
        messages.info(request, f"The key {key} was already revoked.")
    return redirect("staff:api_keys")
