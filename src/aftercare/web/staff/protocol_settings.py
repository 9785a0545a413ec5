"""Changing one rule of one of the clinic's protocols from its settings page: a window, an
SPF or a washout, with the reason, written into the clinic's overlay on that procedure.

The change is checked as the YAML box's overlays are (a value out of the protocol's
limits, or that breaks another rule, is refused with the overlay's own words), saved only
if nobody changed the overlay meanwhile, audited with the rule it changed, and followed
through: waiting messages re-timed, the windows to book moved.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import transaction

from aftercare.protocols.load import ProtocolError
from aftercare.protocols.schema import Protocol
from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest
from aftercare.web.booking import refresh_clinic_bookings
from aftercare.web.clinic.models import Clinic, ClinicProcedure
from aftercare.web.protocol import clinic_overlay, forget_procedures
from aftercare.web.protocol_rules import Setting, changed_overlay, check_overlay, settings_of
from aftercare.web.reminders.schedule import sync_clinic

__all__ = [
    "CHANGED_MEANWHILE",
    "REASON_REQUIRED",
    "STORED_BROKEN",
    "RuleChangeForm",
    "save_rule_change",
]

REASON_REQUIRED = (
    "Give the reason for the change: it is kept with the clinic's protocol and shown in "
    "the table of rules."
)
STORED_BROKEN = "The saved overlay has errors; correct it in the YAML box below first."
CHANGED_MEANWHILE = "The protocol was changed by someone else meanwhile; make the change again."


class RuleChangeForm(forms.Form):
    """Which rule, its new value, and why; checked by building the protocol it gives."""

    setting = forms.ChoiceField(label="Rule to change")
    value = forms.IntegerField(
        label="New value",
        min_value=0,
        max_value=100_000,
        help_text="In the unit the rule names: hours after treatment, days, months or SPF.",
    )
    reason = forms.CharField(
        label="Reason for the change",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED},
        help_text="Kept with the clinic's protocol and shown in the table of rules.",
    )

    def __init__(self, clinic: Clinic, protocol: Protocol | None, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.procedure = protocol.id if protocol is not None else ""
        self.settings = {s.key: s for s in settings_of(protocol)} if protocol else {}
        groups: dict[str, list[tuple[str, str]]] = {}
        for setting in self.settings.values():
            groups.setdefault(setting.group, []).append(
                (setting.key, f"{setting.label} (now {setting.value})")
            )
        choice = cast("forms.ChoiceField", self.fields["setting"])
        choice.choices = [("", "Choose a rule"), *groups.items()]
        self.overlay = ""
        self.chosen: Setting | None = None

    def clean_reason(self) -> str:
        reason = " ".join(str(self.cleaned_data["reason"]).split())
        if not reason:
            raise forms.ValidationError(REASON_REQUIRED)
        return reason

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        key, value, reason = (cleaned.get(name) for name in ("setting", "value", "reason"))
        if not key or value is None or not reason or self.errors:
            return cleaned
        self.chosen = self.settings[key]
        if value == self.chosen.value:
            self.add_error("value", f"{value} is the value in use already.")
            return cleaned
        try:
            self.overlay = changed_overlay(self.clinic, self.procedure, self.chosen, value, reason)
            check_overlay(self.clinic, self.procedure, self.overlay)
        except ProtocolError as error:
            self.add_error("value", [issue.message for issue in error.issues])
        return cleaned


def save_rule_change(
    request: StaffRequest, clinic: Clinic, form: RuleChangeForm, before: Protocol
) -> bool:
    """Write the valid ``form``'s overlay unless the clinic's changed since the form read
    it (False), audit it with the rule it changed, and follow it through."""
    chosen, after = form.chosen, check_overlay(clinic, form.procedure, form.overlay)
    if chosen is None:
        return False
    with transaction.atomic():
        before_text = clinic_overlay(clinic, form.procedure)
        rows = ClinicProcedure.objects.filter(clinic=clinic, protocol_id=form.procedure)
        updated = rows.filter(overlay_yaml=before_text).update(overlay_yaml=form.overlay)
        if updated == 0 and not before_text and not rows.exists():
            ClinicProcedure.objects.create(
                clinic=clinic, protocol_id=form.procedure, overlay_yaml=form.overlay
            )
            updated = 1
        if updated != 1:
            return False
        forget_procedures(clinic)
        audit.record(
            request,
            "clinic.protocol_change",
            clinic=clinic,
            object_type="rule",
            object_id=f"{chosen.item} {chosen.field}",
        )
        if after.course != before.course:
            refresh_clinic_bookings(clinic, after)
    sync_clinic(clinic, clock.now())
    return True
