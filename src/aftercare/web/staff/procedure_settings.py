"""The procedures a clinic performs, chosen by its administrators on the settings page.

Each packaged protocol is one procedure; enabling it lets staff screen and record it and
gives it its own overlay; disabling it refuses new records of it while those already kept
still follow their protocol. A clinic performs at least one. A change is audited with the
procedures then enabled.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect

from aftercare.protocols.registry import installed_protocols
from aftercare.web import audit
from aftercare.web.access import StaffRequest, admin_required
from aftercare.web.clinic.models import Clinic, ClinicProcedure
from aftercare.web.protocol import base_protocol, enabled_procedures, forget_procedures

__all__ = ["AT_LEAST_ONE", "ProceduresForm", "clinic_procedures", "settings_procedure"]

AT_LEAST_ONE = "Choose at least one procedure: a clinic performs one or more."


class ProceduresForm(forms.Form):
    procedures = forms.MultipleChoiceField(
        label="Procedures the clinic performs",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": AT_LEAST_ONE},
        help_text="Staff choose among these when they screen a patient or record a treatment.",
    )

    def __init__(self, clinic: Clinic, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["procedures"])
        field.choices = [(pid, base_protocol(pid).procedure) for pid in installed_protocols().ids]
        field.initial = list(enabled_procedures(clinic))


def settings_procedure(asked: str | None) -> str:
    """The procedure whose overlay and rules the settings page shows: a packaged one, or
    the default for anything else."""
    ids = installed_protocols().ids
    return asked if asked in ids else base_protocol().id


@admin_required
def clinic_procedures(request: StaffRequest) -> HttpResponse:
    """Enable and disable the clinic's procedures."""
    if request.method != "POST":
        return redirect("staff:clinic_settings")
    clinic = request.staff.clinic
    form = ProceduresForm(clinic, request.POST)
    if not form.is_valid():
        messages.error(request, AT_LEAST_ONE)
        return redirect("staff:clinic_settings")
    chosen = set(form.cleaned_data["procedures"])
    with transaction.atomic():
        for protocol_id in installed_protocols().ids:
            ClinicProcedure.objects.update_or_create(
                clinic=clinic,
                protocol_id=protocol_id,
                defaults={"enabled": protocol_id in chosen},
            )
        audit.record(
            request,
            "clinic.procedures",
            clinic=clinic,
            object_type="procedures",
            object_id=",".join(sorted(chosen)),
        )
    forget_procedures(clinic)
    names = ", ".join(base_protocol(pid).procedure for pid in sorted(chosen))
    messages.success(request, f"The clinic now performs: {names}.")
    return redirect("staff:clinic_settings")
