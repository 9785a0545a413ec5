"""Clinic administration: the clinic's settings and protocol overlay, and its staff.

Only clinic administrators reach these pages (``admin_required``); every lookup is limited
to the administrator's own clinic, and every change and every read of the log is audited.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from aftercare.protocols.load import DEFAULT_PROTOCOL, ProtocolError
from aftercare.protocols.schema import Course, Protocol
from aftercare.web import audit, clock, two_factor
from aftercare.web.access import StaffRequest, admin_required, scoped
from aftercare.web.booking import refresh_clinic_bookings
from aftercare.web.clinic.models import (
    Clinic,
    StaffMember,
    logo_png,
)
from aftercare.web.protocol import base_protocol, clinic_protocol, enabled_procedures
from aftercare.web.protocol_rules import rule_rows
from aftercare.web.reminders.schedule import sync_clinic
from aftercare.web.staff.admin_forms import (
    ClinicSettingsForm,
    StaffCreateForm,
    StaffEditForm,
    describe_issue,
)
from aftercare.web.staff.procedure_settings import ProceduresForm, settings_procedure
from aftercare.web.staff.protocol_settings import (
    CHANGED_MEANWHILE,
    STORED_BROKEN,
    RuleChangeForm,
    save_rule_change,
)

__all__ = ["clinic_settings", "protocol_rule", "staff_edit", "staff_list", "staff_new"]


# What the reminder schedule depends on: a change re-times the messages still waiting.
SCHEDULE_SETTINGS = frozenset({"quiet_hours_start", "quiet_hours_end", "overlay_yaml"})


@admin_required
def clinic_settings(request: StaffRequest) -> HttpResponse:
    clinic = request.staff.clinic
    procedure = settings_procedure(request.POST.get("procedure") or request.GET.get("procedure"))
    # A copy: a form that fails must not leave its values on the clinic the page header shows.
    editable = Clinic.objects.get(pk=clinic.pk)
    if request.method == "POST":
        form = ClinicSettingsForm(
            request.POST, request.FILES, instance=editable, procedure=procedure
        )
        if form.is_valid() and form.protocol is not None:
            course_before = _course_of(clinic, procedure)
            with transaction.atomic():
                form.save()
                audit.record(request, "clinic.update", clinic=clinic, obj=editable)
                if form.protocol.course != course_before:
                    refresh_clinic_bookings(editable, form.protocol)
            if set(form.changed_data) & SCHEDULE_SETTINGS:
                sync_clinic(editable, clock.now())
            messages.success(request, "The clinic's settings are saved.")
            return redirect(_settings_address(procedure))
        return _settings_page(request, form, form.protocol, [])
    form = ClinicSettingsForm(instance=editable, procedure=procedure)
    try:
        return _settings_page(request, form, clinic_protocol(clinic, procedure), [])
    except ProtocolError as error:
        return _settings_page(request, form, None, [describe_issue(i) for i in error.issues])


def _settings_address(procedure: str) -> str:
    """The settings page, showing ``procedure``'s overlay and rules."""
    address = reverse("staff:clinic_settings")
    return address if procedure == DEFAULT_PROTOCOL else f"{address}?procedure={procedure}"


def _course_of(clinic: Clinic, procedure: str) -> Course | None:
    """The course rules ``clinic`` works to for ``procedure``; None when its stored overlay
    no longer applies."""
    try:
        return clinic_protocol(clinic, procedure).course
    except ProtocolError:
        return None


@admin_required
def protocol_rule(request: StaffRequest) -> HttpResponse:
    """Change one window, SPF or washout of the clinic's protocol, with a reason."""
    if request.method != "POST":
        return redirect("staff:clinic_settings")
    editable = Clinic.objects.get(pk=request.staff.clinic.pk)
    procedure = settings_procedure(request.POST.get("procedure"))
    try:
        protocol = clinic_protocol(editable, procedure)
    except ProtocolError:
        messages.error(request, STORED_BROKEN)
        return redirect(_settings_address(procedure))
    form = RuleChangeForm(editable, protocol, request.POST, prefix="rule")
    if form.is_valid() and form.chosen is not None:
        if save_rule_change(request, editable, form, protocol):
            value = form.cleaned_data["value"]
            messages.success(request, f"Saved: {form.chosen.label} is now {value}.")
            return redirect(_settings_address(procedure))
        form.add_error(None, CHANGED_MEANWHILE)
    settings_form = ClinicSettingsForm(instance=editable, procedure=procedure)
    return _settings_page(request, settings_form, protocol, [], rule_form=form)


def _settings_page(
    request: StaffRequest,
    form: ClinicSettingsForm,
    protocol: Protocol | None,
    stored_issues: list[str],
    rule_form: RuleChangeForm | None = None,
) -> HttpResponse:
    clinic = request.staff.clinic
    procedure = form.procedure
    if rule_form is None and protocol is not None:
        rule_form = RuleChangeForm(
            clinic, protocol, initial={"setting": request.GET.get("rule")}, prefix="rule"
        )
    context = {
        "nav": "clinic",
        "form": form,
        "protocol": protocol,
        "changes": protocol.overlay.changes if protocol and protocol.overlay else (),
        "rules": rule_rows(protocol) if protocol is not None else {},
        "rule_form": rule_form,
        "stored_issues": stored_issues,
        "logo": _logo_preview(clinic),
        "procedure": procedure,
        "procedure_name": base_protocol(procedure).procedure,
        "procedure_query": "" if procedure == DEFAULT_PROTOCOL else f"&procedure={procedure}",
        "procedures_form": ProceduresForm(clinic),
        "leaflet_href": _leaflet_address(clinic, procedure),
    }
    return render(request, "aftercare/staff/clinic_settings.html", context)


def _leaflet_address(clinic: Clinic, procedure: str) -> str:
    """The clinic's printable leaflet for ``procedure`` ("" if the clinic does not perform
    it: a leaflet is for patients, so only a procedure they can have)."""
    if procedure not in enabled_procedures(clinic):
        return ""
    address = reverse("staff:clinic_leaflet")
    return address if procedure == DEFAULT_PROTOCOL else f"{address}?procedure={procedure}"


def _logo_preview(clinic: Clinic) -> str:
    """The saved logo as a data: address for the page's preview; "" when there is none."""
    png = logo_png(clinic.pk, clinic.logo_digest)
    return f"data:image/png;base64,{base64.b64encode(png).decode()}" if png else ""


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
