"""Starting a real installation: ``aftercare add-clinic`` and what it creates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from aftercare.web.clinic.models import Role, StaffMember
from aftercare.web.clinics import create_clinic
from tests.web.live import aftercare_command, environment

ARGS = {
    "slug": "harbour",
    "name": "Harbour Clinic",
    "phone": "020 7946 0100",
    "urgent_phone": "020 7946 0101",
    "admin_username": "harbour-admin",
}


@pytest.mark.django_db
def test_the_first_administrator_can_sign_in(client: Client) -> None:
    created = create_clinic(**ARGS)
    staff = StaffMember.objects.get(user__username="harbour-admin")
    assert (staff.clinic, staff.role) == (created.clinic, Role.CLINIC_ADMIN)
    response = client.post("/login", {"username": "harbour-admin", "password": created.password})
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "not a slug"}, "slug"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_created(change: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        create_clinic(**{**ARGS, **change})
    assert field in raised.value.message_dict
    assert not StaffMember.objects.exists()


@pytest.mark.django_db
def test_a_taken_username_is_refused() -> None:
    create_clinic(**ARGS)
    with pytest.raises(ValidationError, match="taken"):
        create_clinic(**{**ARGS, "slug": "other"})


def test_the_command_prints_the_login_once_and_refuses_a_repeat(tmp_path: Path) -> None:
    command = aftercare_command(
        "add-clinic", "--slug", "harbour", "--name", "Harbour Clinic", "--phone", "020 7946 0100",
        "--urgent-phone", "020 7946 0101", "--admin", "harbour-admin",
    )  # fmt: skip
    env = environment(tmp_path)
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert "username: harbour-admin" in first.stdout
    assert "under Account > Change your password" in first.stdout
    again = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 2
    assert again.stderr == "aftercare: error: slug: Clinic with this Slug already exists.\n"
