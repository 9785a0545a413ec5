"""The clinic's rules in a table on its settings page, and a rule changed there with a
reason, written into the clinic's overlay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from aftercare.protocols.load import parse_yaml, to_plain
from aftercare.web.clinic.models import AuditEvent, Clinic, Patient, StaffMember
from aftercare.web.protocol import clinic_protocol
from aftercare.web.staff.protocol_settings import REASON_REQUIRED
from tests.web.conftest import NOW, overlay_of, set_overlay
from tests.web.test_clinic_admin import (
    RELAXED_WITH_REASON,
    SETTINGS,
    admin,
    as_admin,
    settings_data,
)
from tests.web.test_portal_plan import page, sign_in, text, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]
__all__ = ["admin", "as_admin"]  # fixtures used here

RULE = "/clinic/settings/rule"
MAKEUP = "AC-makeup|allowed_from_hours"
REASON = "Our patients with acne-prone skin broke out after make-up on the next day."


def change(client: Client, setting: str, value: object, reason: str = REASON) -> object:
    data = {"rule-setting": setting, "rule-value": value, "rule-reason": reason}
    return client.post(RULE, data)


def row(page_text: str, label: str) -> str:
    """The text of the table row whose item is ``label``."""
    html = page_text[page_text.index(f'<th scope="row">{label}</th>') :]
    return text(html[: html.index("</tr>")])


def test_the_table_shows_each_rules_window_and_sources(as_admin: Client) -> None:
    shown = as_admin.get(SETTINGS).content.decode()
    assert '<h2 id="rules-heading">Rules in effect</h2>' in shown
    assert row(shown, "Makeup") == (
        "Makeup allowed from day 1 (24 h), once the redness has gone and the skin has settled; "
        "needs clean_brushes_and_sponges reconciled (C5); sources: 001_6bdbabf99514e05f.txt, "
        "000_12476f0732dd14f5.txt Change"
    )
    assert row(shown, "Isotretinoin (Roaccutane) was taken too recently.") == (
        "Isotretinoin (Roaccutane) was taken too recently. Not yet within 90 days or 3 months, "
        "whichever ends later "
        "reconciled (C20); sources: 004_c9e6a56256457567.txt, literature Change"
    )
    assert row(shown, "Sessions of a course").startswith("Sessions of a course 28 to 42 days apart")
    assert row(shown, "Maintenance after the course").startswith(
        "Maintenance after the course every 6 to 12 months"
    )
    assert f'href="?rule={MAKEUP.replace("|", "%7C")}#rule-form-heading"' in shown


def test_a_change_link_picks_its_rule_in_the_form(as_admin: Client) -> None:
    shown = as_admin.get(SETTINGS, {"rule": MAKEUP}).content.decode()
    assert (
        f'<option value="{MAKEUP}" selected>Makeup: allowed from, hours after treatment (now 24)'
        in shown
    )


def test_tightening_the_makeup_window_writes_the_overlay_and_moves_the_plans(
    as_admin: Client, clinic: Clinic, admin: StaffMember, patient: Patient
) -> None:
    treat(patient, admin, NOW - timedelta(hours=10))
    alice = Client()
    sign_in(alice, patient)
    before = "Makeup: not yet, from Sun 22 Nov, 04:30 (day 1)."
    assert before in text(page(alice, "can_i", q="Makeup?"))

    response = change(as_admin, MAKEUP, 48)
    assert response.status_code == 302
    assert response["Location"] == SETTINGS

    clinic.refresh_from_db()
    overlay = to_plain(parse_yaml(overlay_of(clinic), "test"))
    assert overlay["protocol"] == "microneedling"
    assert overlay["changes"] == (
        {"item": "AC-makeup", "set": {"allowed_from_hours": 48}, "reason": REASON},
    )
    rule = next(r for r in clinic_protocol(clinic).aftercare if r.id == "AC-makeup")
    assert rule.allowed_from_hours == 48
    assert "Makeup: not yet, from Mon 23 Nov, 04:30 (day 2)." in text(
        page(alice, "can_i", q="Makeup?")
    )

    shown = as_admin.get(SETTINGS).content.decode()
    assert "Saved: Makeup: allowed from, hours after treatment is now 48." in text(shown)
    makeup = row(shown, "Makeup")
    assert makeup.startswith("Makeup allowed from day 2 (48 h), once the redness has gone")
    assert (
        "The clinic changed allowed_from_hours from day 1 (24 h) to day 2 (48 h) (tightens)."
        in makeup
    )
    assert f"Reason: {REASON}" in makeup
    event = AuditEvent.objects.get(action="clinic.protocol_change")
    assert (event.clinic_id, event.actor_staff_id) == (clinic.pk, admin.pk)
    assert (event.object_type, event.object_id) == ("rule", "AC-makeup allowed_from_hours")


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_change_without_a_reason_is_refused(
    as_admin: Client, clinic: Clinic, reason: str
) -> None:
    response = change(as_admin, MAKEUP, 48, reason)
    assert response.status_code == 200
    shown = text(response.content.decode())
    assert "The rule has not been changed; please correct the fields marked below." in shown
    assert REASON_REQUIRED in shown
    clinic.refresh_from_db()
    assert overlay_of(clinic) == ""
    assert not AuditEvent.objects.filter(action="clinic.protocol_change").exists()


def test_relaxing_below_the_leaflet_is_allowed_with_a_reason_and_shown_as_relaxing(
    as_admin: Client, clinic: Clinic
) -> None:
    before = clinic_protocol(clinic).version
    assert (
        change(as_admin, "AC-sunscreen|min_spf", 30, "We supply a mineral SPF30.").status_code
        == 302
    )
    assert clinic_protocol(Clinic.objects.get()).version != before
    sunscreen = next(
        r for r in clinic_protocol(Clinic.objects.get()).aftercare if r.id == "AC-sunscreen"
    )
    assert sunscreen.min_spf == 30
    shown = as_admin.get(SETTINGS).content.decode()
    assert "The clinic changed min_spf from 50 to 30 (relaxes)." in text(shown)


def test_a_value_the_protocol_refuses_shows_the_overlays_message(
    as_admin: Client, clinic: Clinic
) -> None:
    response = change(as_admin, "AC-sunscreen|min_spf", 10)
    assert "Input should be greater than or equal to 15" in text(response.content.decode())
    clinic.refresh_from_db()
    assert overlay_of(clinic) == ""


def test_the_value_in_use_is_not_a_change(as_admin: Client) -> None:
    response = change(as_admin, MAKEUP, 24)
    assert "24 is the value in use already." in text(response.content.decode())


def test_a_change_keeps_the_experts_overlay_and_its_comments(
    as_admin: Client, clinic: Clinic
) -> None:
    commented = "# Agreed at the governance meeting, May 2026\n" + RELAXED_WITH_REASON
    assert as_admin.post(SETTINGS, settings_data(overlay_yaml=commented)).status_code == 302
    assert change(as_admin, MAKEUP, 48).status_code == 302
    clinic.refresh_from_db()
    assert overlay_of(clinic).startswith(
        "# Agreed at the governance meeting, May 2026\nid: harbour\n"
    )
    items = [c["item"] for c in to_plain(parse_yaml(overlay_of(clinic), "test"))["changes"]]
    assert items == ["AC-sunscreen", "AC-makeup"]
    # And the YAML box shows what the form wrote, for the expert to read and edit.
    assert "set: {allowed_from_hours: 48}" in as_admin.get(SETTINGS).content.decode()


def test_putting_the_standard_value_back_empties_the_overlay(
    as_admin: Client, clinic: Clinic
) -> None:
    change(as_admin, MAKEUP, 48)
    assert change(as_admin, MAKEUP, 24, "Back to the leaflet.").status_code == 302
    clinic.refresh_from_db()
    assert overlay_of(clinic) == ""
    assert (
        "The clinic uses the standard protocol unchanged."
        in as_admin.get(SETTINGS).content.decode()
    )


def test_a_clinic_that_lengthens_the_gap_moves_the_windows_to_book(
    as_admin: Client, patient: Patient, admin: StaffMember
) -> None:
    from aftercare.web.booking import refresh_booking

    treat(patient, admin, NOW - timedelta(days=30))
    refresh_booking(patient)
    assert change(as_admin, "course|min_gap_days", 35).status_code == 302
    assert patient.bookings.get().opens == NOW.date() + timedelta(days=5)


def test_the_yaml_box_still_reports_errors_by_line(as_admin: Client, clinic: Clinic) -> None:
    response = as_admin.post(SETTINGS, settings_data(overlay_yaml="just text"))
    assert "line 1: an overlay file is a YAML mapping" in response.content.decode()


def test_a_broken_saved_overlay_is_not_edited_by_the_form(as_admin: Client, clinic: Clinic) -> None:
    set_overlay(clinic, "id: [unclosed")
    response = change(as_admin, MAKEUP, 48)
    assert response["Location"] == SETTINGS
    shown = text(as_admin.get(SETTINGS).content.decode())
    assert "The saved overlay has errors; correct it in the YAML box below first." in shown
    assert overlay_of(Clinic.objects.get()) == "id: [unclosed"


def test_only_clinic_administrators_change_rules(
    staff_client: Client, clinic: Clinic, practitioner: StaffMember
) -> None:
    response = change(staff_client, MAKEUP, 48)
    assert response.status_code == 403
    assert overlay_of(Clinic.objects.get()) == ""
    assert AuditEvent.objects.get(action="admin.denied").object_id == "protocol_rule"
