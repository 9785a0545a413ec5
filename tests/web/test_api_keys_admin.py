"""API keys in the web app: an administrator creates one, sees it once, lists and revokes keys."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from aftercare.web.clinic.models import (
    Access,
    ActorKind,
    ApiKey,
    AuditEvent,
    Clinic,
    Outcome,
    StaffMember,
)
from tests.web.conftest import NOW, sign_in_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

KEYS = "/clinic/api-keys/"
NEW = "/clinic/api-keys/new"
REVOKE = "/clinic/api-keys/revoke"
SHOWN_ONCE = "Copy the key now: it will not be shown again."


@pytest.fixture
def as_admin(client: Client, clinic_admin: StaffMember) -> Client:
    sign_in_staff(client, clinic_admin)
    return client


def shown_key(text: str) -> str:
    """The raw key on the page that answers the form."""
    found = re.findall(r'value="(ak_[A-Za-z0-9_-]+)"', text)
    assert len(found) == 1, text
    return str(found[0])


def create(client: Client, name: str = "Booking system", access: str = "read") -> str:
    response = client.post(NEW, {"name": name, "access": access})
    assert response.status_code == 200
    return shown_key(response.content.decode())


# Creating a key


def test_it_shows_a_new_key_once_and_the_key_works(
    as_admin: Client, clinic: Clinic, clinic_admin: StaffMember
) -> None:
    response = as_admin.post(NEW, {"name": "  Booking system  ", "access": "read"})
    assert response.status_code == 200
    assert "Location" not in response
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert SHOWN_ONCE in text
    raw = shown_key(text)
    assert text.count(raw) == 1
    key = ApiKey.find(raw)
    assert key is not None
    assert (key.clinic, key.name, key.access) == (clinic, "Booking system", Access.READ)
    assert (key.created_by, key.created_at, key.revoked_at) == (clinic_admin, NOW, None)
    assert raw.startswith(key.prefix)
    assert raw not in key.key_hash
    assert key.prefix + "…" in text


def test_it_defaults_to_read_only_and_can_grant_read_write(as_admin: Client) -> None:
    form = as_admin.get(NEW).content.decode()
    assert '<label for="id_name">Name:</label>' in form
    assert re.search(r'value="read"[^>]*checked', form)
    raw = create(as_admin, "Record system", "read_write")
    key = ApiKey.find(raw)
    assert key is not None
    assert key.can_write


def test_the_key_is_kept_out_of_the_list_the_session_and_the_audit_log(
    as_admin: Client, clinic_admin: StaffMember
) -> None:
    raw = create(as_admin)
    key = ApiKey.objects.get()
    event = AuditEvent.objects.get(action="apikey.create")
    assert (event.actor_kind, event.actor_staff_id) == (ActorKind.STAFF, clinic_admin.pk)
    assert (event.object_type, event.object_id) == ("apikey", str(key.pk))
    listing = as_admin.get(KEYS).content.decode()
    assert "Booking system" in listing
    assert raw not in listing
    assert raw not in as_admin.get("/clinic/audit").content.decode()
    for session in Session.objects.all():
        assert raw not in str(session.get_decoded())
    assert all(raw not in morsel.value for morsel in as_admin.cookies.values())
    for stored in AuditEvent.objects.values_list("action", "object_type", "object_id"):
        assert all(raw not in value for value in stored)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Give the key a name."),
        ({"name": "   "}, "Give the key a name."),
        ({"name": "x" * 101}, "Keep the name to 100 characters (it has 101)."),
        ({"name": "Booking\u200bsystem"}, "Please remove the invisible character (zero width"),
        ({"name": "Booking\u202esystem"}, "Please remove the invisible character"),
        ({"name": "Booking\x07system"}, "Please remove the invisible character"),
        ({"name": "Booking\nsystem"}, "Please write the name on one line, without tabs."),
        ({"name": "Booking system", "access": "admin"}, "Select a valid choice."),
        ({"name": "Booking system", "access": ""}, "This field is required."),
    ],
)
def test_a_bad_new_key_is_refused_and_nothing_created(
    as_admin: Client, data: dict[str, str], message: str
) -> None:
    response = as_admin.post(NEW, {"access": "read"} | data)
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert "no key has been created" in text
    assert SHOWN_ONCE not in text
    assert not ApiKey.objects.exists()
    assert not AuditEvent.objects.filter(action="apikey.create").exists()


def test_a_name_of_a_hundred_characters_is_accepted(as_admin: Client) -> None:
    create(as_admin, "x" * 100)
    assert ApiKey.objects.get().name == "x" * 100


# The list


def test_the_list_shows_this_clinics_keys_on_the_clinics_clock(
    as_admin: Client, clinic: Clinic, clinic_admin: StaffMember, outsider: StaffMember
) -> None:
    clinic_admin.user.first_name, clinic_admin.user.last_name = "Bea", "Boss"
    clinic_admin.user.save()
    Clinic.objects.filter(pk=clinic.pk).update(time_zone="America/New_York")
    used, _ = ApiKey.issue(clinic, "Booking system", Access.READ, NOW, created_by=clinic_admin)
    ApiKey.objects.filter(pk=used.pk).update(last_used_at=NOW + timedelta(hours=2))
    ApiKey.issue(clinic, "Record system", Access.READ_WRITE, NOW - timedelta(days=1))
    ApiKey.issue(outsider.clinic, "Beta booking", Access.READ, NOW)
    text = as_admin.get(KEYS).content.decode()
    assert f"<td><code>{used.prefix}…</code></td>" in text
    assert "<td>Sat 21 Nov, 09:30 by Bea Boss</td>" in text
    assert "<td>Sat 21 Nov, 11:30</td>" in text
    assert "<td>Fri 20 Nov, 09:30</td>" in text
    assert "<td>Read and write</td>" in text
    assert "<td>Never</td>" in text
    assert text.index("Booking system") < text.index("Record system")
    assert "Beta booking" not in text
    assert text.count('<th scope="col">') == 7


def test_an_empty_list_says_so(as_admin: Client) -> None:
    assert b"The clinic has no API keys yet." in as_admin.get(KEYS).content


def test_the_list_reads_a_fixed_number_of_queries(
    as_admin: Client,
    clinic: Clinic,
    clinic_admin: StaffMember,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for index in range(30):
        key, _ = ApiKey.issue(clinic, f"key {index:02d}", Access.READ, NOW, created_by=clinic_admin)
        ApiKey.objects.filter(pk=key.pk).update(revoked_at=NOW, revoked_by=clinic_admin)
    # One of them confirms the second factor the administrator signed in with.
    with django_assert_max_num_queries(6):
        text = as_admin.get(KEYS).content.decode()
    assert text.count("key ") >= 30


# Revoking a key


def test_it_revokes_a_key_once_and_the_list_shows_who_and_when(
    as_admin: Client, clinic: Clinic, clinic_admin: StaffMember
) -> None:
    key, _ = ApiKey.issue(clinic, "Booking system", Access.READ, NOW - timedelta(days=3))
    page = as_admin.get(KEYS).content.decode()
    assert f'aria-label="Revoke the key Booking system ({key.prefix}…)"' in page
    response = as_admin.post(REVOKE, {"key": key.pk})
    assert response.status_code == 302
    assert response["Location"] == KEYS
    key.refresh_from_db()
    assert (key.revoked_at, key.revoked_by) == (NOW, clinic_admin)
    after = as_admin.get(KEYS).content.decode()
    assert f"The key Booking system ({key.prefix}…) is revoked; it no longer works." in after
    assert "<td>Sat 21 Nov, 14:30 by clinic-admin</td>" in after
    assert "Revoke the key" not in after
    event = AuditEvent.objects.get(action="apikey.revoke")
    assert (event.object_type, event.object_id, event.outcome) == (
        "apikey",
        str(key.pk),
        Outcome.ALLOWED,
    )


def test_revoking_twice_changes_nothing_the_second_time(
    as_admin: Client, clinic: Clinic, colleague: StaffMember
) -> None:
    key, _ = ApiKey.issue(clinic, "Booking system", Access.READ, NOW)
    earlier = NOW - timedelta(hours=1)
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=earlier, revoked_by=colleague)
    response = as_admin.post(REVOKE, {"key": key.pk}, follow=True)
    assert "was already revoked." in response.content.decode()
    key.refresh_from_db()
    assert (key.revoked_at, key.revoked_by) == (earlier, colleague)
    assert not AuditEvent.objects.filter(action="apikey.revoke").exists()


def test_another_clinics_key_is_not_found(as_admin: Client, outsider: StaffMember) -> None:
    theirs, _ = ApiKey.issue(outsider.clinic, "Beta booking", Access.READ, NOW)
    response = as_admin.post(REVOKE, {"key": theirs.pk})
    assert response.status_code == 404
    assert b"Beta booking" not in response.content
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    denial = AuditEvent.objects.get(action="apikey.revoke")
    assert (denial.outcome, denial.object_id) == (Outcome.DENIED, str(theirs.pk))


@pytest.mark.parametrize("data", [{}, {"key": "abc"}, {"key": "0"}])
def test_a_revoke_without_a_key_revokes_nothing(
    as_admin: Client, clinic: Clinic, data: dict[str, str]
) -> None:
    key, _ = ApiKey.issue(clinic, "Booking system", Access.READ, NOW)
    response = as_admin.post(REVOKE, data, follow=True)
    assert b"Choose a key to revoke from the list." in response.content
    key.refresh_from_db()
    assert key.revoked_at is None


def test_revoking_takes_a_post(as_admin: Client, clinic: Clinic) -> None:
    key, _ = ApiKey.issue(clinic, "Booking system", Access.READ, NOW)
    assert as_admin.get(REVOKE, {"key": key.pk}).status_code == 405
    key.refresh_from_db()
    assert key.revoked_at is None


# Who may manage keys


@pytest.mark.parametrize("path", [KEYS, NEW, REVOKE])
def test_a_practitioner_is_refused_and_nothing_changes(
    staff_client: Client, practitioner: StaffMember, clinic: Clinic, path: str
) -> None:
    key, _ = ApiKey.issue(clinic, "Booking system", Access.READ, NOW)
    assert staff_client.get(path).status_code == 403
    data = {"name": "Sneaky", "access": "read_write", "key": key.pk}
    response = staff_client.post(path, data)
    assert response.status_code == 403
    assert b"Booking system" not in response.content
    key.refresh_from_db()
    assert key.revoked_at is None
    assert list(ApiKey.objects.values_list("name", flat=True)) == ["Booking system"]
    denials = AuditEvent.objects.filter(action="admin.denied", actor_staff_id=practitioner.pk)
    assert denials.count() == 2


def test_the_link_shows_to_administrators_only(
    client: Client, practitioner: StaffMember, clinic_admin: StaffMember
) -> None:
    client.force_login(practitioner.user)
    assert KEYS.encode() not in client.get("/clinic/").content
    sign_in_staff(client, clinic_admin)
    page = client.get(KEYS).content.decode()
    assert f'<a href="{KEYS}" aria-current="page">API keys</a>' in page


def test_the_keys_page_links_the_api_documentation(as_admin: Client) -> None:
    page = as_admin.get(KEYS).content.decode()
    assert 'href="/api/docs"' in page
    assert 'href="/api/openapi.json"' in page


def test_the_audit_log_names_the_key_that_acted(as_admin: Client, clinic: Clinic) -> None:
    raw = create(as_admin, name="Booking system", access="read")
    key = ApiKey.find(raw)
    assert key is not None
    listed = Client().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert listed.status_code == 200
    assert AuditEvent.objects.filter(actor_kind=ActorKind.API_KEY, actor_key_id=key.pk).exists()
    text = as_admin.get(reverse("staff:audit")).content.decode()
    assert f"API key Booking system ({key.prefix}…)" in text
