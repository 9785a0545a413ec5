"""Clinic administration: settings and overlay, staff sign-in limits, and who sees them. The
administration of staff is in test_clinic_staff.py."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from aftercare.web.clinic.models import (
    AuditEvent,
    Clinic,
    Outcome,
    Role,
    StaffMember,
)
from aftercare.web.protocol import base_protocol, clinic_protocol
from tests.cli.test_yaml_bombs import BOMB
from tests.web.conftest import make_staff, overlay_of, sign_in_staff

pytestmark = pytest.mark.django_db

SETTINGS = "/clinic/settings"
STAFF = "/clinic/staff/"
GOOD_PASSWORD = "plum-orchard-lantern-42"

TIGHTER = """\
id: harbour
protocol: microneedling
title: Harbour rules
changes:
  - item: SC-isotretinoin-recent
    set: {trigger.within_days: 180}
"""

RELAXED_WITHOUT_REASON = """\
id: harbour
protocol: microneedling
title: Harbour rules
changes:
  - item: AC-sunscreen
    set: {min_spf: 30}
"""

RELAXED_WITH_REASON = RELAXED_WITHOUT_REASON + (
    "    reason: We supply a mineral SPF30 and ask patients to reapply every two hours.\n"
)


@pytest.fixture
def admin(clinic: Clinic) -> StaffMember:
    member = make_staff("boss", clinic)
    member.role = Role.CLINIC_ADMIN
    member.save()
    return member


@pytest.fixture
def as_admin(client: Client, admin: StaffMember) -> Client:
    sign_in_staff(client, admin)
    return client


def settings_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Alpha Clinic",
        "phone": "020 7946 0001",
        "email": "hello@example.org",
        "urgent_phone": "020 7946 0002",
        "time_zone": "Europe/London",
        "overlay_yaml": "",
        "older_age_years": 65,
        "screening_valid_days": 90,
        "quiet_hours_start": "21:00",
        "quiet_hours_end": "08:00",
        "alert_escalation_minutes": 15,
        "staff_idle_minutes": 30,
        "staff_session_hours": 12,
        "retention_years": 8,
        "accent_colour": "#1f5f8b",
    }
    return data | changes


# Settings


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"staff_idle_minutes": 61}, "Ensure this value is less than or equal to 60."),
        ({"staff_idle_minutes": 4}, "Ensure this value is greater than or equal to 5."),
        ({"staff_session_hours": 13}, "Ensure this value is less than or equal to 12."),
    ],
)
def test_staff_sign_in_limits_stay_within_bounds(
    as_admin: Client, change: dict[str, object], message: str
) -> None:
    response = as_admin.post(SETTINGS, settings_data(**change))
    assert message in response.content.decode()
    assert Clinic.objects.get().staff_idle_minutes == 30


def test_an_administrator_requires_two_factors_for_everyone(
    as_admin: Client, clinic: Clinic
) -> None:
    as_admin.post(
        SETTINGS,
        settings_data(require_two_factor="on", staff_idle_minutes=15, staff_session_hours=8),
    )
    clinic.refresh_from_db()
    assert (clinic.require_two_factor, clinic.staff_idle_minutes, clinic.staff_session_hours) == (
        True,
        15,
        8,
    )


def test_settings_show_the_standard_protocol(as_admin: Client) -> None:
    text = as_admin.get(SETTINGS).content.decode()
    protocol = base_protocol()
    assert f"Protocol <strong>{protocol.effective_id}</strong>" in text
    assert f"version <strong>{protocol.version}</strong>" in text
    assert "The clinic uses the standard protocol unchanged." in text
    assert '<label for="id_overlay_yaml">' in text


def test_a_valid_overlay_is_saved_and_its_version_shown(
    as_admin: Client, clinic: Clinic, admin: StaffMember
) -> None:
    response = as_admin.post(SETTINGS, settings_data(overlay_yaml=RELAXED_WITH_REASON, phone="01"))
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert overlay_of(clinic) == RELAXED_WITH_REASON
    assert clinic.phone == "01"
    effective = clinic_protocol(clinic)
    assert effective.effective_id == "microneedling+harbour"
    text = as_admin.get(SETTINGS).content.decode()
    assert "The clinic&#x27;s settings are saved." in text
    assert f"version <strong>{effective.version}</strong>" in text
    assert effective.version != base_protocol().version
    assert "AC-sunscreen" in text
    assert "relaxes" in text
    assert "We supply a mineral SPF30" in text
    event = AuditEvent.objects.get(action="clinic.update")
    assert (event.clinic_id, event.patient_id, event.actor_staff_id) == (clinic.pk, None, admin.pk)


def test_the_age_setting_shows_as_a_change(as_admin: Client, clinic: Clinic) -> None:
    as_admin.post(SETTINGS, settings_data(older_age_years=55, overlay_yaml=TIGHTER))
    text = as_admin.get(SETTINGS).content.decode()
    assert "older_patient" in text
    assert "SC-isotretinoin-recent" in text
    assert "tightens" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"overlay_yaml": RELAXED_WITHOUT_REASON},
            "line 6: changes[0].set.min_spf: relaxes &#x27;AC-sunscreen&#x27; (min_spf 50 -&gt; 30)"
            "; a change that relaxes the protocol needs a reason",
        ),
        ({"overlay_yaml": "id: [unclosed\n  title: x"}, "line 2: expected &#x27;,&#x27;"),
        ({"overlay_yaml": "just text"}, "line 1: an overlay file is a YAML mapping"),
        ({"time_zone": "Mars/Olympus"}, "unknown time zone &#x27;Mars/Olympus&#x27;"),
        ({"time_zone": "+01:00"}, "unknown time zone"),
        ({"older_age_years": 39}, "greater than or equal to 40"),
        ({"older_age_years": 101}, "less than or equal to 100"),
        ({"screening_valid_days": 0}, "greater than or equal to 1"),
        ({"screening_valid_days": 366}, "less than or equal to 365"),
        ({"quiet_hours_start": "25:00"}, "Enter a valid time."),
        ({"name": "x" * 10_000}, "at most 200 characters"),
        ({"name": "Alpha\u200bClinic"}, "Please remove the invisible character"),
        ({"urgent_phone": "020\u202e7946"}, "Please remove the invisible character"),
        # The name is in every email's subject: a line break would end the header there.
        ({"name": "Alpha\r\nBcc: all@example.org"}, "Please write the name on one line"),
        ({"name": "Alpha\nClinic"}, "Please write the name on one line"),
        ({"overlay_yaml": BOMB}, "line 2: YAML aliases (*a) are not allowed; write the value out"),
        ({"overlay_yaml": "#" * 70_000}, "at most 65536 characters (it has 70000)"),
        ({"overlay_yaml": "#" + "é" * 40_000}, "the file is too long (80001 bytes; at most 65536)"),
        ({"name": "Alpha\x07Clinic"}, "Please remove the invisible character (u+0007)"),
    ],
)
def test_bad_settings_are_refused_and_kept(
    as_admin: Client, clinic: Clinic, changes: dict[str, object], message: str
) -> None:
    response = as_admin.post(SETTINGS, settings_data(**changes))
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    clinic.refresh_from_db()
    assert clinic.name == "Alpha Clinic"
    assert overlay_of(clinic) == ""
    assert not AuditEvent.objects.filter(action="clinic.update").exists()
    for value in changes.values():
        assert escape(str(value)) in text


def test_a_failed_save_leaves_the_page_header_alone(as_admin: Client) -> None:
    response = as_admin.post(SETTINGS, settings_data(name="Renamed", older_age_years=5))
    assert b'<strong><a href="/clinic/">Alpha Clinic</a></strong>' in response.content


def test_emoji_names_are_fine(as_admin: Client, clinic: Clinic) -> None:
    assert as_admin.post(SETTINGS, settings_data(name="Glow ✨ Clinic")).status_code == 302
    clinic.refresh_from_db()
    assert clinic.name == "Glow ✨ Clinic"


# Who may see the admin pages


@pytest.mark.parametrize("path", [SETTINGS, STAFF, "/clinic/staff/new", "/clinic/audit"])
def test_a_practitioner_is_refused_and_the_refusal_audited(
    client: Client, practitioner: StaffMember, admin: StaffMember, path: str
) -> None:
    client.force_login(practitioner.user)
    response = client.get(path)
    assert response.status_code == 403
    assert b"boss" not in response.content
    event = AuditEvent.objects.get(action="admin.denied")
    assert (event.outcome, event.actor_staff_id) == (Outcome.DENIED, practitioner.pk)
    assert client.post(path, settings_data()).status_code == 403


def test_the_refusal_keeps_the_clinics_navigation(
    client: Client, practitioner: StaffMember
) -> None:
    client.force_login(practitioner.user)
    page = client.get(SETTINGS).content.decode()
    assert "You can't open this page" in page
    assert '<a href="/clinic/">Alpha Clinic</a>' in page
    assert '<a href="/clinic/patients/">Patients</a>' in page
    assert "Sign out practitioner" in page
