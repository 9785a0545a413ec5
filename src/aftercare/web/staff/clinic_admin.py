"""Clinic administration: the clinic's settings and protocol overlay, its staff, its audit log.

Only clinic administrators reach these pages (``admin_required``); every lookup is limited
to the administrator's own clinic, and every change and every read of the log is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from aftercare.protocols.load import ProtocolError
from aftercare.protocols.schema import Protocol
from aftercare.web import audit, clock, two_factor
from aftercare.web.access import StaffRequest, admin_required, scoped
from aftercare.web.clinic.models import (
    ActorKind,
    ApiKey,
    AuditEvent,
    Clinic,
    Patient,
    StaffMember,
)
from aftercare.web.protocol import clinic_protocol
from aftercare.web.reminders.schedule import sync_clinic
from aftercare.web.staff.admin_forms import (
    AuditFilterForm,
    ClinicSettingsForm,
    StaffCreateForm,
    StaffEditForm,
    describe_issue,
)
from aftercare.web.staff.summary import local_moment

__all__ = ["audit_log", "clinic_settings", "staff_edit", "staff_list", "staff_new"]

AUDIT_PAGE_SIZE = 100


# What the reminder schedule depends on: a change re-times the messages still waiting.
SCHEDULE_SETTINGS = frozenset({"quiet_hours_start", "quiet_hours_end", "overlay_yaml"})


@admin_required
def clinic_settings(request: StaffRequest) -> HttpResponse:
    clinic = request.staff.clinic
    # A copy: a form that fails must not leave its values on the clinic the page header shows.
    editable = Clinic.objects.get(pk=clinic.pk)
    if request.method == "POST":
        form = ClinicSettingsForm(request.POST, instance=editable)
        if form.is_valid():
            form.save()
            audit.record(request, "clinic.update", clinic=clinic, obj=editable)
            if set(form.changed_data) & SCHEDULE_SETTINGS:
                sync_clinic(editable, clock.now())
            messages.success(request, "The clinic's settings are saved.")
            return redirect("staff:clinic_settings")
        return _settings_page(request, form, form.protocol, [])
    form = ClinicSettingsForm(instance=editable)
    try:
        return _settings_page(request, form, clinic_protocol(clinic), [])
    except ProtocolError as error:
        return _settings_page(request, form, None, [describe_issue(i) for i in error.issues])


def _settings_page(
    request: StaffRequest,
    form: ClinicSettingsForm,
    protocol: Protocol | None,
    stored_issues: list[str],
) -> HttpResponse:
    context = {
        "nav": "clinic",
        "form": form,
        "protocol": protocol,
        "changes": protocol.overlay.changes if protocol and protocol.overlay else (),
        "stored_issues": stored_issues,
    }
    return render(request, "aftercare/staff/clinic_settings.html", context)


def _clinic_staff(clinic: Clinic) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(clinic=clinic).select_related("user")


@admin_required
def staff_list(request: StaffRequest) -> HttpResponse:
    members = _clinic_staff(request.staff.clinic).order_by("user__username")
    return render(request, "aftercare/staff/staff_list.html", {"nav": "staff", "members": members})


@admin_required
def staff_new(request: StaffRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            member = StaffMember.objects.create(
                user=user, clinic=request.staff.clinic, role=form.cleaned_data["role"]
            )
        audit.record(request, "staff.create", clinic=request.staff.clinic, obj=member)
        messages.success(request, f"{user.get_username()} can now sign in.")
        return redirect("staff:staff_list")
    return render(request, "aftercare/staff/staff_new.html", {"nav": "staff", "form": form})


@admin_required
def staff_edit(request: StaffRequest, pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    member = scoped(request, _clinic_staff(clinic), pk, clinic=clinic, action="staff.view")
    initial = {"role": member.role, "is_active": member.user.is_active}
    data = request.POST if request.method == "POST" else None
    form = StaffEditForm(member, request.staff, data, initial=initial)
    if request.method == "POST" and form.is_valid():
        _apply_staff_edit(request, member, form.cleaned_data)
        messages.success(request, f"{member.user.get_username()} is updated.")
        return redirect("staff:staff_list")
    context = {"nav": "staff", "form": form, "member": member}
    return render(request, "aftercare/staff/staff_edit.html", context)


def _apply_staff_edit(request: StaffRequest, member: StaffMember, data: dict[str, Any]) -> None:
    user = member.user
    with transaction.atomic():
        member.role = data["role"]
        member.save(update_fields=["role"])
        user.is_active = data["is_active"]
        if data["new_password1"]:
            user.set_password(data["new_password1"])
        user.save()
        if data["remove_second_factor"]:
            two_factor.remove_second_factor(user)
    if user.pk == request.user.pk:
        # Changing one's own password would otherwise sign this browser out too.
        update_session_auth_hash(request, user)
    audit.record(request, "staff.update", clinic=member.clinic, obj=member)


@admin_required
def audit_log(request: StaffRequest) -> HttpResponse:
    clinic = request.staff.clinic
    form = AuditFilterForm(request.GET or None)
    audit.record(request, "audit.view", clinic=clinic)
    if form.is_bound and not form.is_valid():
        context = {"nav": "audit", "form": form, "page": None, "rows": [], "query": ""}
        return render(request, "aftercare/staff/audit.html", context, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    events = (
        AuditEvent.objects.filter(clinic=clinic).select_related("patient").order_by("-at", "-pk")
    )
    if filters.get("patient"):
        events = events.filter(patient_id=filters["patient"])
    if filters.get("outcome"):
        events = events.filter(outcome=filters["outcome"])
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "audit",
        "form": form,
        "page": page,
        "rows": _audit_rows(clinic, page),
        "query": _filter_query(filters),
    }
    return render(request, "aftercare/staff/audit.html", context)


def _audit_rows(clinic: Clinic, page: Page[AuditEvent]) -> list[dict[str, Any]]:
    events = list(page.object_list)
    staff = _usernames(clinic, (e.actor_staff_id for e in events))
    patients = _names(Patient, clinic, (e.actor_patient_id for e in events))
    keys = _names(ApiKey, clinic, (e.actor_key_id for e in events))
    return [
        {
            "event": event,
            "when": local_moment(event.at, clinic.time_zone),
            "actor": _actor(event, staff, patients, keys),
        }
        for event in events
    ]


def _usernames(clinic: Clinic, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    members = StaffMember.objects.filter(clinic=clinic, pk__in=wanted).values_list(
        "pk", "user__username"
    )
    return dict(members)


def _names(
    model: type[Patient] | type[ApiKey], clinic: Clinic, ids: Iterable[int | None]
) -> dict[int, str]:
    """How the clinic's patients or API keys among ``ids`` are shown, by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.pk: str(row) for row in model.objects.filter(clinic=clinic, pk__in=wanted)}


def _actor(
    event: AuditEvent,
    staff: dict[int, str],
    patients: dict[int, str],
    keys: dict[int, str],
) -> str:
    if event.actor_kind == ActorKind.STAFF and event.actor_staff_id is not None:
        return staff.get(event.actor_staff_id, f"staff member {event.actor_staff_id}")
    if event.actor_kind == ActorKind.PATIENT and event.actor_patient_id is not None:
        name = patients.get(event.actor_patient_id)
        return f"patient {name}" if name else "patient"
    if event.actor_kind == ActorKind.API_KEY and event.actor_key_id is not None:
        return f"API key {keys.get(event.actor_key_id, event.actor_key_id)}"
    return event.get_actor_kind_display().lower()


def _filter_query(filters: dict[str, Any]) -> str:
    """The filters as a query string, for the page links to keep."""
    return urlencode({name: value for name, value in filters.items() if value})
