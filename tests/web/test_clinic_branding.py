"""The clinic's branding in its settings: an accent colour white text stays readable on,
and a logo that is kept as a checked PNG, whatever was uploaded."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from aftercare.web.clinic.branding import MAX_LOGO_BYTES
from aftercare.web.clinic.models import AuditEvent, Clinic, ClinicLogo, StaffMember, logo_png
from tests.web.conftest import picture, sign_in_staff
from tests.web.test_clinic_admin import SETTINGS, settings_data

pytestmark = pytest.mark.django_db

NOT_A_PICTURE = "The logo must be a PNG or JPEG picture, and this file could not be read as one."


@pytest.fixture
def as_admin(client: Client, clinic_admin: StaffMember) -> Client:
    sign_in_staff(client, clinic_admin)
    return client


def upload(data: bytes, name: str = "logo.png", media_type: str = "image/png") -> object:
    return SimpleUploadedFile(name, data, content_type=media_type)


def kept(clinic: Clinic) -> Image.Image:
    clinic.refresh_from_db()
    return Image.open(io.BytesIO(logo_png(clinic.pk, clinic.logo_digest)))


def test_it_keeps_an_uploaded_jpeg_as_a_png_that_fits_the_leaflet(
    as_admin: Client, clinic: Clinic
) -> None:
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    Image.new("RGB", (1500, 600), (200, 30, 30)).save(photo, format="JPEG", exif=exif)
    response = as_admin.post(SETTINGS, settings_data(logo=upload(photo.getvalue(), "l.jpg")))
    assert response.status_code == 302
    image = kept(clinic)
    assert (image.format, image.size) == ("PNG", (600, 240))
    assert not image.getexif()
    stored = ClinicLogo.objects.get(clinic=clinic)
    assert clinic.logo_digest == stored.digest == hashlib.sha256(stored.png).hexdigest()
    assert AuditEvent.objects.filter(action="clinic.update").count() == 1


def test_the_settings_page_shows_the_saved_logo(as_admin: Client, clinic: Clinic) -> None:
    as_admin.post(SETTINGS, settings_data(logo=upload(picture())))
    page = as_admin.get(SETTINGS).content.decode()
    assert '<img src="data:image/png;base64,' in page
    assert 'alt="The clinic\'s logo as saved"' in page
    assert "Remove the logo" in page


def test_saving_other_settings_keeps_the_logo(as_admin: Client, clinic: Clinic) -> None:
    as_admin.post(SETTINGS, settings_data(logo=upload(picture())))
    clinic.refresh_from_db()
    digest = clinic.logo_digest
    as_admin.post(SETTINGS, settings_data(name="Alpha Skin Clinic"))
    clinic.refresh_from_db()
    assert (clinic.name, clinic.logo_digest) == ("Alpha Skin Clinic", digest)


def test_an_administrator_removes_the_logo(as_admin: Client, clinic: Clinic) -> None:
    as_admin.post(SETTINGS, settings_data(logo=upload(picture())))
    as_admin.post(SETTINGS, settings_data(remove_logo="on"))
    clinic.refresh_from_db()
    assert clinic.logo_digest == ""
    assert not ClinicLogo.objects.filter(clinic=clinic).exists()
    assert "data:image/png" not in as_admin.get(SETTINGS).content.decode()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (picture("GIF"), "logo.gif", NOT_A_PICTURE),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            NOT_A_PICTURE,
        ),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "broken.png", NOT_A_PICTURE),
        (b"\0" * (MAX_LOGO_BYTES + 1), "huge.png", "please use one of at most 1024 KB."),
    ],
)
def test_a_file_that_is_not_a_small_png_or_jpeg_is_refused(
    as_admin: Client, clinic: Clinic, data: bytes, name: str, message: str
) -> None:
    response = as_admin.post(SETTINGS, settings_data(logo=upload(data, name)))
    assert response.status_code == 200
    assert message in response.content.decode()
    clinic.refresh_from_db()
    assert clinic.logo_digest == ""
    assert not ClinicLogo.objects.exists()


def test_a_picture_too_many_pixels_across_is_refused(as_admin: Client, clinic: Clinic) -> None:
    response = as_admin.post(SETTINGS, settings_data(logo=upload(picture(size=(4001, 4001)))))
    assert "please use one at most 4000 by 4000 pixels." in response.content.decode()
    assert not ClinicLogo.objects.exists()


@pytest.mark.parametrize(
    ("colour", "message"),
    [
        ("#0b6e4f", None),
        ("#767676", None),
        (
            "#777777",
            "Please choose a darker colour: white text on it must stay readable (a contrast "
            "of 4.5:1 or more; this colour gives 4.47:1).",
        ),
        (
            "#ffd700",
            "Please choose a darker colour: white text on it must stay readable (a contrast "
            "of 4.5:1 or more; this colour gives 1.4:1).",
        ),
        ("red", "Please give the colour as # and six hexadecimal digits, for example #1f5f8b."),
        ("#12345g", "Please give the colour as # and six hexadecimal digits, for example #1f5f8b."),
    ],
)
def test_the_accent_colour_must_keep_white_text_readable(
    as_admin: Client, clinic: Clinic, colour: str, message: str | None
) -> None:
    response = as_admin.post(SETTINGS, settings_data(accent_colour=colour))
    clinic.refresh_from_db()
    if message is None:
        assert response.status_code == 302
        assert clinic.accent_colour == colour
    else:
        assert message in response.content.decode()
        assert clinic.accent_colour == "#1f5f8b"


def test_a_form_posted_without_a_colour_keeps_the_saved_one(
    as_admin: Client, clinic: Clinic
) -> None:
    as_admin.post(SETTINGS, settings_data(accent_colour="#0b6e4f"))
    data = settings_data()
    del data["accent_colour"]
    assert as_admin.post(SETTINGS, data).status_code == 302
    clinic.refresh_from_db()
    assert clinic.accent_colour == "#0b6e4f"
