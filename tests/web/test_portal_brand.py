"""The portal in the clinic's colours and logo, and the manifest that puts it on a phone's
home screen.

Alice (``patient``) is signed in at Alpha Clinic; Bob's clinic (``outsider``) has a logo
of its own that Alice must never be given.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import Clinic, Patient, StaffMember, logo_png, set_logo
from tests.web.conftest import NOW, picture
from tests.web.test_portal_plan import sign_in, treat

pytestmark = pytest.mark.django_db

PORTAL_PAGES = ("today", "timeline", "can_i", "check_in", "course")


@pytest.fixture
def alice(client: Client, patient: Patient, practitioner: StaffMember) -> Client:
    treat(patient, practitioner, NOW - timedelta(days=2))
    sign_in(client, patient)
    return client


def test_every_portal_page_links_the_clinics_colour_and_the_manifest(
    alice: Client, clinic: Clinic
) -> None:
    Clinic.objects.filter(pk=clinic.pk).update(accent_colour="#7A1F5C")
    for name in PORTAL_PAGES:
        html = alice.get(reverse(f"portal:{name}")).content.decode()
        assert '<link rel="stylesheet" href="/p/accent/7a1f5c.css">' in html, name
        assert (
            '<link rel="manifest" href="/p/manifest.webmanifest" crossorigin="use-credentials">'
            in html
        )
        assert '<meta name="theme-color" content="#7A1F5C">' in html
        assert '<span class="brand-name">Alpha Clinic</span>' in html
        # The clinic's number is one tap away on every page.
        assert '<a class="brand-call" href="tel:+442079460001">' in html
        assert "style=" not in html


def test_the_colour_stylesheet_sets_only_the_accent(client: Client) -> None:
    response = client.get("/p/accent/7A1F5C.css")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response.content.decode() == ":root { --accent: #7a1f5c; }\n"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "colour",
    [
        "ffffff",  # white text would not be readable on it
        "fff",
        "7a1f5c;}body{display:none",
        "7a1f5czz",
        "%237a1f5c",
    ],
)
def test_the_colour_stylesheet_refuses_what_the_settings_would_refuse(
    client: Client, colour: str
) -> None:
    assert client.get(f"/p/accent/{colour}.css").status_code == 404


def test_the_logo_shows_in_the_header_and_is_served_to_the_clinics_patients(
    alice: Client, clinic: Clinic
) -> None:
    set_logo(clinic, picture())
    clinic.refresh_from_db()
    html = alice.get(reverse("portal:today")).content.decode()
    src = f"/p/logo.png?v={clinic.logo_digest}"
    assert f'<img src="{src}" alt="" class="brand-logo" width="120" height="48">' in html
    response = alice.get(src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == logo_png(clinic.pk, clinic.logo_digest)
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"


def test_a_clinic_without_a_logo_shows_its_name_only(alice: Client) -> None:
    html = alice.get(reverse("portal:today")).content.decode()
    assert "brand-logo" not in html
    assert alice.get(reverse("portal:logo")).status_code == 404


def test_the_logo_is_only_the_signed_in_patients_clinics(
    client: Client, alice: Client, outsider: StaffMember
) -> None:
    set_logo(outsider.clinic, picture())
    assert alice.get(reverse("portal:logo")).status_code == 404
    client.logout()
    assert Client().get(reverse("portal:logo")).status_code == 404


def test_the_manifest_names_the_clinic_and_starts_at_today(alice: Client, clinic: Clinic) -> None:
    Clinic.objects.filter(pk=clinic.pk).update(accent_colour="#7a1f5c")
    response = alice.get(reverse("portal:manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Alpha Clinic: aftercare"
    assert manifest["short_name"] == "Aftercare"
    assert (manifest["start_url"], manifest["scope"]) == ("/p/", "/p/")
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#7a1f5c"
    assert [icon["sizes"] for icon in manifest["icons"]] == ["192x192", "512x512"]
    for icon in manifest["icons"]:
        assert alice.get(icon["src"]).status_code == 200


def test_the_manifest_without_a_session_names_no_clinic(db: None) -> None:
    manifest = json.loads(Client().get(reverse("portal:manifest")).content)
    assert manifest["name"] == "Your aftercare: aftercare"
    assert manifest["theme_color"] == "#1f5f8b"
