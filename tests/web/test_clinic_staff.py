"""Clinic administration of staff: second factors, who sees the staff pages, adding,
deactivating and promoting staff, and passwords. The clinic's settings and overlay are in
test_clinic_admin.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import DjangoAssertNumQueries

from aftercare.web.clinic.models import (
    AuditEvent,
    Clinic,
    Outcome,
    Role,
    StaffMember,
)
from tests.web.conftest import make_staff, sign_in_staff
from tests.web.test_clinic_admin import GOOD_PASSWORD, STAFF, admin, as_admin

__all__ = ["admin", "as_admin"]  # fixtures, used by name

pytestmark = pytest.mark.django_db


def test_an_admin_removes_a_lost_second_factor(as_admin: Client, colleague: StaffMember) -> None:
    TOTPDevice.objects.create(user=colleague.user, name="Authenticator app")
    as_admin.post(
        f"/clinic/staff/{colleague.pk}",
        {"role": "practitioner", "is_active": "on", "remove_second_factor": "on"},
    )
    assert not TOTPDevice.objects.filter(user=colleague.user).exists()


def test_a_practitioner_cannot_edit_staff(
    client: Client, practitioner: StaffMember, admin: StaffMember
) -> None:
    client.force_login(practitioner.user)
    response = client.post(f"/clinic/staff/{admin.pk}", {"role": "practitioner"})
    assert response.status_code == 403
    admin.refresh_from_db()
    assert admin.role == Role.CLINIC_ADMIN


def test_staff_links_show_only_to_admins(
    client: Client, practitioner: StaffMember, admin: StaffMember
) -> None:
    client.force_login(practitioner.user)
    assert b"/clinic/audit" not in client.get("/clinic/").content
    sign_in_staff(client, admin)
    assert b"/clinic/audit" in client.get("/clinic/").content


# Staff


def test_the_staff_list_shows_this_clinic_only(
    as_admin: Client, practitioner: StaffMember, outsider: StaffMember
) -> None:
    practitioner.user.first_name, practitioner.user.last_name = "Priya", "Shah"
    practitioner.user.email = "priya@example.org"
    practitioner.user.save()
    text = as_admin.get(STAFF).content.decode()
    assert "Priya Shah" in text
    assert "priya@example.org" in text
    assert "Clinic administrator" in text
    assert "outsider" not in text


def new_staff(**changes: str) -> dict[str, str]:
    data = {
        "username": "nina",
        "first_name": "Nina",
        "last_name": "Okafor",
        "email": "nina@example.org",
        "role": "practitioner",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    return data | changes


def test_an_admin_adds_a_practitioner_who_can_sign_in(
    as_admin: Client, clinic: Clinic, admin: StaffMember
) -> None:
    response = as_admin.post("/clinic/staff/new", new_staff())
    assert response.status_code == 302
    member = StaffMember.objects.select_related("user").get(user__username="nina")
    assert (member.clinic, member.role) == (clinic, Role.PRACTITIONER)
    assert member.user.get_full_name() == "Nina Okafor"
    assert AuditEvent.objects.filter(action="staff.create", object_id=str(member.pk)).exists()
    fresh = Client()
    assert fresh.post("/login", {"username": "nina", "password": GOOD_PASSWORD}).status_code == 302
    assert fresh.get("/clinic/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password2": "something-else-entirely"}, "The two password fields didn"),
        ({"password1": "12345678", "password2": "12345678"}, "This password is too common."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"username": "practitioner"}, "A user with that username already exists."),
        ({"username": "PRACTITIONER"}, "A user with that username already exists."),
        ({"username": "ni\u200bna"}, "Please remove the invisible character (zero width space)"),
        ({"username": "nina smith"}, "Enter a valid username."),
        ({"first_name": "N" * 10_000}, "at most 150 characters"),
        ({"last_name": "O\u202ekafor"}, "Please remove the invisible character"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"role": "superuser"}, "Select a valid choice."),
        ({"first_name": ""}, "This field is required."),
    ],
)
def test_bad_new_staff_is_refused_and_kept(
    as_admin: Client, practitioner: StaffMember, changes: dict[str, str], message: str
) -> None:
    response = as_admin.post("/clinic/staff/new", new_staff(**changes))
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert not User.objects.filter(username="nina").exists()
    assert "Okafor" in text or "last_name" in changes


def test_an_admin_deactivates_a_colleague_whose_session_ends(
    as_admin: Client, colleague: StaffMember
) -> None:
    theirs = Client()
    theirs.force_login(colleague.user)
    assert theirs.get("/clinic/").status_code == 200
    response = as_admin.post(f"/clinic/staff/{colleague.pk}", {"role": "practitioner"})
    assert response.status_code == 302
    colleague.user.refresh_from_db()
    assert colleague.user.is_active is False
    assert theirs.get("/clinic/")["Location"].startswith("/login?next=")
    event = AuditEvent.objects.get(action="staff.update")
    assert event.object_id == str(colleague.pk)
    assert b"<td>No</td>" in as_admin.get(STAFF).content


def test_an_admin_promotes_and_resets_a_password(as_admin: Client, colleague: StaffMember) -> None:
    page = as_admin.get(f"/clinic/staff/{colleague.pk}").content.decode()
    assert '<label for="id_role">' in page
    data = {
        "role": "clinic_admin",
        "is_active": "on",
        "new_password1": GOOD_PASSWORD,
        "new_password2": GOOD_PASSWORD,
    }
    assert as_admin.post(f"/clinic/staff/{colleague.pk}", data).status_code == 302
    colleague.refresh_from_db()
    colleague.user.refresh_from_db()
    assert colleague.role == Role.CLINIC_ADMIN
    assert colleague.user.check_password(GOOD_PASSWORD)


def test_a_weak_new_password_is_refused(as_admin: Client, colleague: StaffMember) -> None:
    data = {"role": "practitioner", "is_active": "on", "new_password1": "password"}
    data["new_password2"] = "password"
    response = as_admin.post(f"/clinic/staff/{colleague.pk}", data)
    assert response.status_code == 200
    assert b"This password is too common." in response.content
    colleague.user.refresh_from_db()
    assert not colleague.user.check_password("password")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "practitioner", "is_active": "on"}, "You cannot take away your own"),
        ({"role": "clinic_admin"}, "You cannot stop your own sign-in."),
    ],
)
def test_an_admin_cannot_lock_themselves_out(
    as_admin: Client, admin: StaffMember, data: dict[str, str], message: str
) -> None:
    response = as_admin.post(f"/clinic/staff/{admin.pk}", data)
    assert response.status_code == 200
    assert message.encode() in response.content
    admin.refresh_from_db()
    admin.user.refresh_from_db()
    assert admin.role == Role.CLINIC_ADMIN
    assert admin.user.is_active


def test_an_admin_changing_their_own_password_stays_signed_in(
    as_admin: Client, admin: StaffMember
) -> None:
    data = {"role": "clinic_admin", "is_active": "on"}
    data |= {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    assert as_admin.post(f"/clinic/staff/{admin.pk}", data).status_code == 302
    assert as_admin.get(STAFF).status_code == 200


def test_another_clinics_staff_member_is_not_found(as_admin: Client, outsider: StaffMember) -> None:
    for response in (
        as_admin.get(f"/clinic/staff/{outsider.pk}"),
        as_admin.post(f"/clinic/staff/{outsider.pk}", {"role": "practitioner"}),
    ):
        assert response.status_code == 404
        assert b"outsider" not in response.content
    outsider.user.refresh_from_db()
    assert outsider.user.is_active
    denial = AuditEvent.objects.filter(action="staff.view", outcome=Outcome.DENIED)
    assert denial.count() == 2


def test_the_staff_list_reads_a_fixed_number_of_queries(
    as_admin: Client, clinic: Clinic, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for index in range(40):
        make_staff(f"member{index:02d}", clinic)
    # One of them confirms the second factor the administrator signed in with.
    with django_assert_max_num_queries(6):
        text = as_admin.get(STAFF).content.decode()
    assert text.count("/clinic/staff/") >= 41
    assert text.index("member00") < text.index("member39")
