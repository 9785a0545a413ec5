"""Staff accounts: password rules, changing and resetting a password, two-factor sign-in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aftercare.web import two_factor
from aftercare.web.clinic.models import AuditEvent, Clinic, StaffMember
from tests.web.conftest import NOW, sign_in_staff
from tests.web.test_portal_plan import set_now, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

GOOD_PASSWORD = "quiet-harbour-lantern-42"
NO_MATCH = "That code did not match. Check the time on your phone and try again."


def with_password(staff: StaffMember, password: str = GOOD_PASSWORD) -> StaffMember:
    staff.user.set_password(password)
    staff.user.email = f"{staff.user.username}@example.org"
    staff.user.save()
    return staff


def sign_in_with_password(client: Client, username: str, password: str = GOOD_PASSWORD) -> str:
    """Post the sign-in form; where it sends the browser next."""
    response = client.post("/login", {"username": username, "password": password})
    assert response.status_code == 302, text(response.content.decode())
    return str(response["Location"])


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


# --- password rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("harbour123", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("practitioner1", "The password is too similar to the username."),
    ],
)
def test_it_refuses_a_weak_new_password(
    client: Client, practitioner: StaffMember, password: str, message: str
) -> None:
    sign_in_staff(client, with_password(practitioner))
    response = client.post(
        "/account/password",
        {"old_password": GOOD_PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in text(response.content.decode())
    practitioner.user.refresh_from_db()
    assert practitioner.user.check_password(GOOD_PASSWORD)


# --- changing one's password ----------------------------------------------------------


def test_it_asks_for_the_current_password(client: Client, practitioner: StaffMember) -> None:
    sign_in_staff(client, with_password(practitioner))
    new = "another-long-phrase-77"
    response = client.post(
        "/account/password",
        {"old_password": "not-the-one", "new_password1": new, "new_password2": new},
    )
    assert "Your old password was entered incorrectly" in text(response.content.decode())
    practitioner.user.refresh_from_db()
    assert practitioner.user.check_password(GOOD_PASSWORD)


def test_it_changes_the_password_and_keeps_the_session(
    client: Client, practitioner: StaffMember
) -> None:
    sign_in_staff(client, with_password(practitioner))
    new = "another-long-phrase-77"
    response = client.post(
        "/account/password",
        {"old_password": GOOD_PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Your password is changed." in text(response.content.decode())
    practitioner.user.refresh_from_db()
    assert practitioner.user.check_password(new)
    assert client.get("/clinic/").status_code == 200
    event = AuditEvent.objects.get(action="account.password_change")
    assert event.actor_staff_id == practitioner.pk


# --- resetting a forgotten password ---------------------------------------------------


def reset_link(client: Client, email: str) -> str:
    response = client.post("/account/password-reset", {"email": email})
    assert response["Location"] == "/account/password-reset/sent"
    (message,) = mail.outbox
    assert message.subject == "Choose a new Aftercare password"
    found = re.search(r"http://\S+/account/password-reset/\S+", message.body)
    assert found is not None, message.body
    return found.group(0)


def test_it_emails_a_reset_link_that_sets_a_new_password(
    client: Client, practitioner: StaffMember
) -> None:
    with_password(practitioner)
    link = reset_link(client, "Practitioner@example.org")
    assert link.startswith("http://127.0.0.1:8000/account/password-reset/")
    form = client.get(link.removeprefix("http://127.0.0.1:8000"), follow=True)
    assert "Choose a new password" in text(form.content.decode())
    new = "a-fresh-start-at-9am"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Your password is changed" in text(done.content.decode())
    assert sign_in_with_password(client, "practitioner", new) == "/clinic/"


def test_a_reset_link_stops_working_after_an_hour_on_the_projects_clock(
    client: Client, practitioner: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_password(practitioner)
    path = reset_link(client, "practitioner@example.org").removeprefix("http://127.0.0.1:8000")
    set_now(monkeypatch, NOW + timedelta(minutes=61))
    page = text(client.get(path, follow=True).content.decode())
    assert "This link no longer works" in page


def test_it_answers_the_same_for_an_unknown_address(client: Client) -> None:
    response = client.post("/account/password-reset", {"email": "nobody@example.org"})
    assert response["Location"] == "/account/password-reset/sent"
    assert mail.outbox == []


def test_it_limits_reset_requests_for_one_address(
    client: Client, practitioner: StaffMember
) -> None:
    with_password(practitioner)
    for _ in range(3):
        client.post("/account/password-reset", {"email": "practitioner@example.org"})
    refused = client.post("/account/password-reset", {"email": "practitioner@example.org"})
    assert refused.status_code == 429
    assert refused.content.decode() == "Too many requests, try again in an hour."
    assert len(mail.outbox) == 3


# --- two-factor sign-in ---------------------------------------------------------------


def test_an_administrator_sets_up_two_factors_at_the_first_sign_in(
    client: Client, clinic_admin: StaffMember
) -> None:
    with_password(clinic_admin)
    assert sign_in_with_password(client, "clinic-admin") == "/clinic/"
    detour = client.get("/clinic/")
    assert detour["Location"] == "/account/two-factor/setup?next=%2Fclinic%2F"
    page = text(client.get(detour["Location"]).content.decode())
    assert "Set up two-factor sign-in" in page
    device = TOTPDevice.objects.get(user=clinic_admin.user, confirmed=False)
    shown = client.post(detour["Location"], {"code": code_for(device)})
    codes = re.findall(r"<code>(\w+)</code>", shown.content.decode())
    assert len(codes) == 10
    assert client.get("/clinic/").status_code == 200


@pytest.fixture
def enrolled(clinic_admin: StaffMember) -> TOTPDevice:
    with_password(clinic_admin)
    return TOTPDevice.objects.create(user=clinic_admin.user, name="Authenticator app")


def test_a_sign_in_with_a_device_asks_for_its_code(client: Client, enrolled: TOTPDevice) -> None:
    sign_in_with_password(client, "clinic-admin")
    asked = client.get("/clinic/settings")
    assert asked["Location"] == "/account/two-factor?next=%2Fclinic%2Fsettings"
    answered = client.post(asked["Location"], {"code": code_for(enrolled)})
    assert answered["Location"] == "/clinic/settings"
    assert client.get("/clinic/settings").status_code == 200


def test_a_wrong_code_is_refused(client: Client, enrolled: TOTPDevice) -> None:
    sign_in_with_password(client, "clinic-admin")
    wrong = client.post("/account/two-factor", {"code": "123 456"})
    assert wrong.status_code == 200
    assert NO_MATCH in text(wrong.content.decode())
    assert client.get("/clinic/")["Location"] == "/account/two-factor?next=%2Fclinic%2F"


def test_a_recovery_code_works_once(
    client: Client, enrolled: TOTPDevice, clinic_admin: StaffMember
) -> None:
    (code, *_) = two_factor.new_recovery_codes(clinic_admin.user)
    sign_in_with_password(client, "clinic-admin")
    assert client.post("/account/two-factor", {"code": code})["Location"] == "/clinic/"
    client.post("/logout")
    sign_in_with_password(client, "clinic-admin")
    again = client.post("/account/two-factor", {"code": code})
    assert NO_MATCH in text(again.content.decode())
    assert StaticToken.objects.filter(device__user=clinic_admin.user).count() == 9


def test_a_practitioner_may_go_without_unless_the_clinic_requires_it(
    client: Client, practitioner: StaffMember, clinic: Clinic
) -> None:
    with_password(practitioner)
    sign_in_with_password(client, "practitioner")
    assert client.get("/clinic/").status_code == 200
    clinic.require_two_factor = True
    clinic.save()
    assert client.get("/clinic/")["Location"].startswith("/account/two-factor/setup")


def test_a_practitioner_can_turn_their_own_second_factor_off(
    client: Client, practitioner: StaffMember
) -> None:
    TOTPDevice.objects.create(user=practitioner.user, name="Authenticator app")
    sign_in_staff(client, practitioner)
    off = client.post("/account/two-factor/off", follow=True)
    assert "Two-factor sign-in is off." in text(off.content.decode())
    assert not TOTPDevice.objects.filter(user=practitioner.user).exists()


def test_an_administrator_cannot_turn_it_off(client: Client, clinic_admin: StaffMember) -> None:
    sign_in_staff(client, clinic_admin)
    refused = client.post("/account/two-factor/off", follow=True)
    assert "Your clinic requires two-factor sign-in for you." in text(refused.content.decode())
    assert TOTPDevice.objects.filter(user=clinic_admin.user).exists()


def test_the_sign_in_page_offers_a_reset(client: Client) -> None:
    page = client.get("/login").content.decode()
    assert '<a href="/account/password-reset">Forgotten your password?</a>' in page


def test_a_user_without_a_clinic_gets_the_not_allowed_page(client: Client) -> None:
    user = User.objects.create_user("stranger", password=GOOD_PASSWORD)
    client.force_login(user)
    assert client.get("/account/").status_code == 403
