"""Alerts for staff to review, and a patient's reminders, through the API.

An alert is a check-in whose triage asked the patient to contact the clinic. A review is
claimed once: the second system to review is told so, and the first note stays.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import (
    ActorKind,
    ApiKey,
    AuditEvent,
    CheckIn,
    Clinic,
    Level,
    Patient,
    Reminder,
    ReminderStatus,
    StaffMember,
    Treatment,
)
from tests.web.conftest import CHAIN_QUERIES, NOW, make_clinic, make_staff
from tests.web.test_api_access import fields, ok, patch, post, problem
from tests.web.test_portal_plan import QueryBound, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

ALERTS = "/api/v1/alerts"
ALREADY = "This alert has already been reviewed; the earlier note is kept."


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    return treat(patient, practitioner, NOW - timedelta(hours=50))


def checked_in(
    treatment: Treatment, level: str, minutes_ago: int = 0, reviewed: bool = False
) -> CheckIn:
    return CheckIn.objects.create(
        treatment=treatment,
        symptoms=[{"symptom": "discharge" if level == Level.CONTACT_CLINIC_NOW else "redness"}],
        trend="worsening",
        level=level,
        result={"advice": "Contact your clinic."},
        hours_after=50,
        created_at=NOW - timedelta(minutes=minutes_ago),
        reviewed_at=NOW if reviewed else None,
    )


# --- alerts -----------------------------------------------------------------------------


def test_the_alerts_are_the_check_ins_that_were_not_expected_newest_first(
    api_client: Client, treated: Treatment
) -> None:
    urgent = checked_in(treated, Level.CONTACT_CLINIC_NOW, minutes_ago=5)
    soon = checked_in(treated, Level.CONTACT_CLINIC, minutes_ago=10)
    checked_in(treated, Level.EXPECTED, minutes_ago=1)
    page = ok(api_client.get(ALERTS))
    assert page["count"] == 2
    assert [(a["id"], a["level"], a["urgent_phone"]) for a in page["items"]] == [
        (urgent.pk, "contact_clinic_now", "020 7946 0002"),
        (soon.pk, "contact_clinic", None),
    ]
    assert page["items"][0]["patient_id"] == treated.patient_id
    assert page["items"][0]["symptoms"] == ["discharge"]
    oldest_first = ok(api_client.get(ALERTS, {"ordering": "created_at"}))
    assert [a["id"] for a in oldest_first["items"]] == [soon.pk, urgent.pk]
    event = AuditEvent.objects.filter(action="api.alert.list").first()
    assert event is not None and event.actor_kind == ActorKind.API_KEY


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"reviewed": "false"}, ["urgent", "soon"]),
        ({"reviewed": "true"}, ["done"]),
        ({"level": "contact_clinic_now"}, ["urgent", "done"]),
        ({"level": "contact_clinic", "reviewed": "false"}, ["soon"]),
    ],
)
def test_the_alerts_filter_by_review_and_level(
    api_client: Client, treated: Treatment, query: dict[str, str], expected: list[str]
) -> None:
    made = {
        "urgent": checked_in(treated, Level.CONTACT_CLINIC_NOW, minutes_ago=1),
        "soon": checked_in(treated, Level.CONTACT_CLINIC, minutes_ago=2),
        "done": checked_in(treated, Level.CONTACT_CLINIC_NOW, minutes_ago=3, reviewed=True),
    }
    names = {check_in.pk: name for name, check_in in made.items()}
    page = ok(api_client.get(ALERTS, query))
    assert [names[a["id"]] for a in page["items"]] == expected


def test_an_alert_filter_that_is_not_offered_is_refused(api_client: Client) -> None:
    response = api_client.get(ALERTS, {"patient": "1", "level__in": "expected"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.level__in"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"ordering": "level"}, "query.ordering"),
        ({"ordering": "-hours_after"}, "query.ordering"),
        ({"level": "expected"}, "query.level"),
        ({"reviewed": "perhaps"}, "query.reviewed"),
    ],
)
def test_an_ordering_or_filter_value_not_offered_is_a_422(
    api_client: Client, query: dict[str, str], field: str
) -> None:
    assert list(fields(problem(api_client.get(ALERTS, query), 422))) == [field]


def test_the_alerts_are_only_the_keys_clinics(
    api_client: Client, outsider_api_client: Client, treated: Treatment
) -> None:
    checked_in(treated, Level.CONTACT_CLINIC_NOW)
    beta = make_clinic("beta")
    bob = Patient.objects.create(clinic=beta, given_name="Bob", family_name="Beta")
    checked_in(
        treat(bob, make_staff("beta-staff", beta), NOW - timedelta(hours=5)), Level.CONTACT_CLINIC
    )
    assert ok(api_client.get(ALERTS))["count"] == 1
    assert ok(outsider_api_client.get(ALERTS)) == {"items": [], "count": 0}


def test_the_alerts_are_paged_in_a_fixed_number_of_queries(
    api_client: Client,
    patient: Patient,
    practitioner: StaffMember,
    django_assert_max_num_queries: QueryBound,
) -> None:
    for n in range(40):
        checked_in(treat(patient, practitioner, NOW - timedelta(hours=50 + n)), "contact_clinic", n)
    with django_assert_max_num_queries(5 + CHAIN_QUERIES):
        page = ok(api_client.get(ALERTS, {"limit": 30, "offset": 5}))
    assert (len(page["items"]), page["count"]) == (30, 40)


def test_one_alert_is_read_and_audited(api_client: Client, treated: Treatment) -> None:
    alert = checked_in(treated, Level.CONTACT_CLINIC_NOW)
    shown = ok(api_client.get(f"{ALERTS}/{alert.pk}"))
    assert (shown["id"], shown["level"], shown["reviewed_at"]) == (
        alert.pk,
        "contact_clinic_now",
        None,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.patient_id, event.object_id) == (
        "checkin.view",
        treated.patient_id,
        str(alert.pk),
    )


def test_an_expected_check_in_is_not_an_alert(api_client: Client, treated: Treatment) -> None:
    expected = checked_in(treated, Level.EXPECTED)
    problem(api_client.get(f"{ALERTS}/{expected.pk}"), 404)
    problem(patch(api_client, f"{ALERTS}/{expected.pk}", {"note": "Fine"}), 404)


def test_a_review_is_kept_once_and_the_second_is_refused(
    api_client: Client, treated: Treatment, monkeypatch: pytest.MonkeyPatch
) -> None:
    alert = checked_in(treated, Level.CONTACT_CLINIC_NOW)
    url = f"{ALERTS}/{alert.pk}"
    first = ok(patch(api_client, url, {"note": "  Called back; seen today.  "}))
    assert (first["reviewed_at"], first["review_note"]) == (
        "2026-11-21T14:30:00Z",
        "Called back; seen today.",
    )
    monkeypatch.setattr("aftercare.web.clock.now", lambda: NOW + timedelta(minutes=3))
    second = patch(api_client, url, {"reviewed": True, "note": "Another note"})
    assert problem(second, 409)["detail"] == ALREADY
    alert.refresh_from_db()
    assert (alert.reviewed_at, alert.review_note) == (NOW, "Called back; seen today.")
    assert ok(api_client.get(ALERTS, {"reviewed": "false"}))["count"] == 0
    # The refused second review changed nothing, and the audit log does not say it did.
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == [
        "checkin.review",
        "api.alert.list",
    ]


def test_a_review_names_who_made_it_here_and_on_the_staff_page(
    api_client: Client,
    staff_client: Client,
    treated: Treatment,
    practitioner: StaffMember,
) -> None:
    by_key = checked_in(treated, Level.CONTACT_CLINIC)
    by_staff = checked_in(treated, Level.CONTACT_CLINIC_NOW, minutes_ago=1)
    assert ok(api_client.get(f"{ALERTS}/{by_key.pk}"))["reviewed_by"] is None
    key = ApiKey.objects.get()
    shown = f"API key {key.name} ({key.prefix}…)"
    reviewed = ok(patch(api_client, f"{ALERTS}/{by_key.pk}", {"note": "Called back."}))
    assert reviewed["reviewed_by"] == shown
    by_key.refresh_from_db()
    assert (by_key.reviewed_by, by_key.reviewed_by_key) == (None, key)
    page = staff_client.get(reverse("staff:check_in", args=[by_key.pk]))
    assert f"by {shown}." in page.content.decode()
    staff_review = staff_client.post(reverse("staff:check_in", args=[by_staff.pk]), {"note": "ok"})
    assert staff_review.status_code == 302
    name = practitioner.user.get_full_name() or practitioner.user.get_username()
    assert ok(api_client.get(f"{ALERTS}/{by_staff.pk}"))["reviewed_by"] == name


def test_a_review_cannot_be_undone(api_client: Client, treated: Treatment) -> None:
    alert = checked_in(treated, Level.CONTACT_CLINIC_NOW)
    response = patch(api_client, f"{ALERTS}/{alert.pk}", {"reviewed": False})
    assert problem(response, 409)["detail"] == "A review cannot be undone; send reviewed: true."
    alert.refresh_from_db()
    assert alert.reviewed_at is None


def test_a_read_only_key_cannot_review(read_only_client: Client, treated: Treatment) -> None:
    alert = checked_in(treated, Level.CONTACT_CLINIC_NOW)
    problem(patch(read_only_client, f"{ALERTS}/{alert.pk}", {"note": "x"}), 403)
    alert.refresh_from_db()
    assert alert.reviewed_at is None


# --- reminders --------------------------------------------------------------------------


@pytest.fixture
def scheduled(api_client: Client, clinic: Clinic) -> Patient:
    """Carol, who agreed to email, treated through the API: her reminders are scheduled."""
    body = {
        "given_name": "Carol",
        "family_name": "Jones",
        "email": "carol@example.com",
        "preferred_channel": "email",
        "consent_to_messages": True,
    }
    created = ok(post(api_client, "/api/v1/patients", body), 201)
    treatment = {"treated_at": "2026-11-21T10:00:00Z", "override_reason": "Screened on paper"}
    ok(post(api_client, f"/api/v1/patients/{created['id']}/treatments", treatment), 201)
    return Patient.objects.get(pk=created["id"])


def test_the_reminders_are_listed_by_due_time(api_client: Client, scheduled: Patient) -> None:
    listed = ok(api_client.get(f"/api/v1/patients/{scheduled.pk}/reminders"))
    rows = list(Reminder.objects.filter(patient=scheduled).order_by("due_at", "pk"))
    assert len(listed) == len(rows) > 1
    assert [r["id"] for r in listed] == [r.pk for r in rows]
    assert [datetime.fromisoformat(r["due_at"]) for r in listed] == [r.due_at for r in rows]
    assert {r["channel"] for r in listed} == {"email"}
    assert {r["status"] for r in listed} == {"scheduled"}
    assert {"welcome", "change"} <= {r["kind"] for r in listed}
    assert AuditEvent.objects.filter(action="reminder.list").count() == 1


def test_a_reminder_is_cancelled_once(api_client: Client, scheduled: Patient) -> None:
    reminder = Reminder.objects.filter(patient=scheduled).order_by("-due_at").first()
    assert reminder is not None
    url = f"/api/v1/reminders/{reminder.pk}/cancel"
    cancelled = ok(api_client.post(url))
    assert (cancelled["id"], cancelled["status"], cancelled["cancelled_at"]) == (
        reminder.pk,
        "cancelled",
        "2026-11-21T14:30:00Z",
    )
    again = api_client.post(url)
    assert problem(again, 409)["detail"] == "This message is no longer waiting to be sent."
    reminder.refresh_from_db()
    assert (reminder.status, reminder.cancelled_by) == (ReminderStatus.CANCELLED, None)
    assert Reminder.objects.filter(patient=scheduled, status="scheduled").count() >= 1
    event = AuditEvent.objects.get(action="reminder.cancel")
    assert (event.actor_kind, event.object_id) == (ActorKind.API_KEY, str(reminder.pk))


def test_another_clinic_cannot_cancel_a_reminder(
    outsider_api_client: Client, read_only_client: Client, scheduled: Patient
) -> None:
    reminder = Reminder.objects.filter(patient=scheduled).first()
    assert reminder is not None
    problem(outsider_api_client.post(f"/api/v1/reminders/{reminder.pk}/cancel"), 404)
    problem(read_only_client.post(f"/api/v1/reminders/{reminder.pk}/cancel"), 403)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SCHEDULED


def test_the_reminders_are_listed_in_a_fixed_number_of_queries(
    api_client: Client, scheduled: Patient, django_assert_max_num_queries: QueryBound
) -> None:
    with django_assert_max_num_queries(5 + CHAIN_QUERIES):
        ok(api_client.get(f"/api/v1/patients/{scheduled.pk}/reminders"))
