"""Django for the web tests only: the engine tests never import it.

The settings come from the environment, as in production, pointed at a temporary data
directory. The database is a real SQLite file there, or PostgreSQL when DATABASE_URL is
set (``DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftercare pytest tests/web``).
"""

from __future__ import annotations

import io
import os
import secrets
import tempfile
from datetime import UTC, datetime

import django
import pytest
from pytest_django.fixtures import Settings

os.environ["AFTERCARE_DATA_DIR"] = tempfile.mkdtemp(prefix="aftercare-test-")
os.environ["AFTERCARE_SECRET_KEY"] = secrets.token_urlsafe(64)
os.environ["AFTERCARE_DEBUG"] = "false"
# Plain HTTP, as `aftercare serve` on this machine; HTTPS settings have tests of their own.
os.environ["AFTERCARE_HTTPS"] = "false"
os.environ.pop("AFTERCARE_ALLOWED_HOSTS", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "aftercare.web.config.settings"
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from PIL import Image  # noqa: E402

from aftercare.web import two_factor  # noqa: E402
from aftercare.web.clinic.models import (  # noqa: E402
    Access,
    ApiKey,
    Clinic,
    ClinicProcedure,
    Patient,
    Role,
    StaffMember,
)
from aftercare.web.protocol import forget_procedures  # noqa: E402

NOW = datetime(2026, 11, 21, 14, 30, tzinfo=UTC)
# What appending one audit event adds to a request's queries beyond its INSERT: reading the
# clinic's last event and, on PostgreSQL, taking the clinic's chain lock.
CHAIN_QUERIES = 2


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Settings) -> None:
    # The real hasher takes half a second by design; tests make many logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_clinic(slug: str) -> Clinic:
    return Clinic.objects.create(
        slug=slug,
        name=f"{slug.title()} Clinic",
        phone="020 7946 0001",
        urgent_phone="020 7946 0002",
    )


def set_overlay(clinic: Clinic, text: str, protocol_id: str = "microneedling") -> None:
    """Give ``clinic`` the overlay ``text`` on ``protocol_id`` (enabling it)."""
    ClinicProcedure.objects.update_or_create(
        clinic=clinic, protocol_id=protocol_id, defaults={"overlay_yaml": text}
    )
    forget_procedures(clinic)


def overlay_of(clinic: Clinic, protocol_id: str = "microneedling") -> str:
    """The overlay ``clinic`` has saved on ``protocol_id``, read afresh."""
    row = ClinicProcedure.objects.filter(clinic=clinic, protocol_id=protocol_id).first()
    return row.overlay_yaml if row is not None else ""


def enable_procedures(clinic: Clinic, *protocol_ids: str) -> None:
    """``clinic`` performs exactly ``protocol_ids``."""
    for protocol_id in protocol_ids:
        ClinicProcedure.objects.update_or_create(
            clinic=clinic, protocol_id=protocol_id, defaults={"enabled": True}
        )
    ClinicProcedure.objects.filter(clinic=clinic).exclude(protocol_id__in=protocol_ids).update(
        enabled=False
    )
    forget_procedures(clinic)


def picture(image_format: str = "PNG", size: tuple[int, int] = (120, 48)) -> bytes:
    """A small picture file, as a clinic would upload for its logo."""
    out = io.BytesIO()
    Image.new("RGB", size, (31, 95, 139)).save(out, format=image_format)
    return out.getvalue()


def make_staff(username: str, clinic: Clinic) -> StaffMember:
    user = User.objects.create_user(username)
    return StaffMember.objects.create(user=user, clinic=clinic, role=Role.PRACTITIONER)


@pytest.fixture
def clinic(db: None) -> Clinic:
    return make_clinic("alpha")


@pytest.fixture
def practitioner(clinic: Clinic) -> StaffMember:
    return make_staff("practitioner", clinic)


@pytest.fixture
def colleague(clinic: Clinic) -> StaffMember:
    return make_staff("colleague", clinic)


@pytest.fixture
def outsider(db: None) -> StaffMember:
    return make_staff("outsider", make_clinic("beta"))


@pytest.fixture
def patient(clinic: Clinic) -> Patient:
    return Patient.objects.create(clinic=clinic, given_name="Alice", family_name="Patient")


@pytest.fixture
def other_patient(clinic: Clinic) -> Patient:
    return Patient.objects.create(clinic=clinic, given_name="Bob", family_name="Other")


@pytest.fixture
def clinic_admin(clinic: Clinic) -> StaffMember:
    admin = make_staff("clinic-admin", clinic)
    admin.role = Role.CLINIC_ADMIN
    admin.save()
    return admin


@pytest.fixture(autouse=True)
def now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The web app's clock stopped at NOW, for every web test: nothing a test does depends
    on the real date. A test that needs another moment sets it (``set_now``), and signs
    staff in again when it moves past their session's twelve hours."""
    monkeypatch.setattr("aftercare.web.clock.now", lambda: NOW)
    return NOW


@pytest.fixture
def staff_client(client: Client, practitioner: StaffMember) -> Client:
    """The test client, signed in as the practitioner."""
    client.force_login(practitioner.user)
    return client


def sign_in_staff(client: Client, staff: StaffMember) -> Client:
    """Sign ``client`` in as ``staff``, past the second factor where the role needs one or
    the staff member has one (a device is made for a role that needs one)."""
    client.force_login(staff.user)
    device = TOTPDevice.objects.filter(user=staff.user, confirmed=True).first()
    if device is None and two_factor.is_required(staff):
        device = TOTPDevice.objects.create(user=staff.user, name=two_factor.APP_DEVICE)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def make_key(clinic: Clinic, access: Access = Access.READ_WRITE, name: str = "booking") -> str:
    """A new API key of ``clinic``; the raw key, as a clinic system would hold it."""
    _, raw = ApiKey.issue(clinic, name, access, NOW)
    return raw


def key_client(raw: str) -> Client:
    """A test client that sends ``raw`` as its API key on every request."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def api_client(clinic: Clinic) -> Client:
    """A client with a read-write API key of the clinic."""
    return key_client(make_key(clinic))


@pytest.fixture
def read_only_client(clinic: Clinic) -> Client:
    """A client with a read-only API key of the clinic."""
    return key_client(make_key(clinic, Access.READ, name="records"))


@pytest.fixture
def outsider_api_client(db: None) -> Client:
    """A client with a read-write API key of another clinic."""
    return key_client(make_key(make_clinic("elsewhere")))
