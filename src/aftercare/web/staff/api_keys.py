"""A clinic's API keys, for clinic administrators: the list, a new key, revoking one.

A new key is shown once, on the page that answers the form, and nowhere else: not in an
address, the session or a message, and never in the audit log, which names the key by id.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from aftercare.web import clock
from aftercare.web.access import StaffRequest, admin_required, scoped
from aftercare.web.actor import Actor
from aftercare.web.care.api_keys import api_key_rows, clinic_keys, issue, revoke
from aftercare.web.clinic.models import Access
from aftercare.web.staff.api_key_forms import ApiKeyCreateForm, ApiKeyRevokeForm

__all__ = ["api_key_new", "api_key_revoke", "api_keys"]


@admin_required
def api_keys(request: StaffRequest) -> HttpResponse:
    context = {"nav": "api_keys", "rows": api_key_rows(request.staff.clinic)}
    return render(request, "aftercare/staff/api_keys.html", context)


@admin_required
def api_key_new(request: StaffRequest) -> HttpResponse:
    form = ApiKeyCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        clinic = request.staff.clinic
        name, access = form.cleaned_data["name"], Access(form.cleaned_data["access"])
        key, raw = issue(Actor.of(request), clinic, name, access, clock.now())
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
    if revoke(Actor.of(request), key, clock.now()):
        messages.success(request, f"The key {key} is revoked; it no longer works.")
    else:
        messages.info(request, f"The key {key} was already revoked.")
    return redirect("staff:api_keys")
