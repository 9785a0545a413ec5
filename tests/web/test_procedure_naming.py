"""What names a clinic's procedure outside a treatment's own records: the clinic's
printable leaflet of each procedure it performs, the leaflet and headings a screened
patient sees before a treatment, and the procedure named on the patient's pages.

Alice (``patient``) is at the Alpha clinic, which performs microneedling and a peel.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from aftercare.web.clinic.models import Clinic, Patient, Treatment
from aftercare.web.protocol import base_protocol
from tests.web.conftest import enable_procedures
from tests.web.test_clinic_admin import admin, as_admin
from tests.web.test_portal_plan import page, sign_in, text
from tests.web.test_procedures import PEEL, both, peel, screen_peel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]
__all__ = ["admin", "as_admin", "both", "peel"]  # fixtures used here

CLINIC_LEAFLET = reverse("staff:clinic_leaflet")
# Each leaflet is titled with its protocol's title.
PEEL_WORDS = "Superficial chemical peel aftercare"
NEEDLING_WORDS = "Medical microneedling aftercare"


def words(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).split())


# --- the clinic's leaflet ------------------------------------------------------------


def test_the_clinic_prints_a_leaflet_for_each_procedure_it_performs(
    staff_client: Client, both: Clinic
) -> None:
    default = staff_client.get(CLINIC_LEAFLET)
    assert default["Content-Disposition"] == 'attachment; filename="aftercare-leaflet.pdf"'
    assert NEEDLING_WORDS in words(default.content)
    assert PEEL_WORDS not in words(default.content)
    peel_leaflet = staff_client.get(CLINIC_LEAFLET, {"procedure": PEEL})
    assert peel_leaflet["Content-Disposition"] == (
        'attachment; filename="aftercare-leaflet-chemical-peel.pdf"'
    )
    assert PEEL_WORDS in words(peel_leaflet.content)
    assert NEEDLING_WORDS not in words(peel_leaflet.content)


def test_a_leaflet_of_a_procedure_the_clinic_does_not_perform_is_refused(
    staff_client: Client, clinic: Clinic
) -> None:
    refused = staff_client.get(CLINIC_LEAFLET, {"procedure": PEEL})
    assert refused.status_code == 400
    assert staff_client.get(CLINIC_LEAFLET, {"procedure": "tattoo"}).status_code == 400


def test_a_clinic_that_performs_only_peels_prints_the_peels_leaflet(
    staff_client: Client, clinic: Clinic
) -> None:
    enable_procedures(clinic, PEEL)
    response = staff_client.get(CLINIC_LEAFLET)
    assert response["Content-Disposition"] == 'attachment; filename="aftercare-leaflet.pdf"'
    assert PEEL_WORDS in words(response.content)


def test_the_settings_page_links_the_leaflet_of_the_procedure_it_shows(
    as_admin: Client, both: Clinic
) -> None:
    settings = reverse("staff:clinic_settings")
    shown = text(as_admin.get(settings, {"procedure": PEEL}).content.decode())
    assert "Print the clinic's aftercare leaflet for Superficial chemical peel (PDF)" in shown
    html = as_admin.get(settings, {"procedure": PEEL}).content.decode()
    assert f'href="{CLINIC_LEAFLET}?procedure={PEEL}" download>' in html
    html = as_admin.get(settings).content.decode()
    assert f'href="{CLINIC_LEAFLET}" download>' in html
    enable_procedures(both, "microneedling")
    html = as_admin.get(settings, {"procedure": PEEL}).content.decode()
    assert "clinic_leaflet" not in html and f"{CLINIC_LEAFLET}?" not in html


# --- before a treatment ----------------------------------------------------------------


def test_a_patient_screened_for_a_peel_reads_the_peels_leaflet_before_treatment(
    staff_client: Client, client: Client, both: Clinic, patient: Patient
) -> None:
    assert screen_peel(staff_client, patient).status_code == 302
    sign_in(client, patient)
    shown = text(page(client, "today"))
    assert "Your aftercare Superficial chemical peel aftercare" in shown
    assert "Read the leaflet before your treatment: Superficial chemical peel aftercare (PDF)" in (
        shown
    )
    leaflet = client.get(reverse("portal:leaflet"))
    assert leaflet["Content-Disposition"] == (
        'attachment; filename="aftercare-leaflet-chemical-peel.pdf"'
    )
    assert PEEL_WORDS in words(leaflet.content)


def test_a_patient_not_yet_screened_reads_the_clinics_default_leaflet(
    client: Client, both: Clinic, patient: Patient
) -> None:
    sign_in(client, patient)
    assert "Read the leaflet before your treatment: Medical microneedling aftercare (PDF)" in (
        text(page(client, "today"))
    )
    assert NEEDLING_WORDS in words(client.get(reverse("portal:leaflet")).content)


# --- the patient's pages name the procedure ---------------------------------------------


def test_the_patients_pages_name_the_procedure_of_the_treatment(
    client: Client, peel: Treatment, patient: Patient
) -> None:
    sign_in(client, patient)
    title = base_protocol(PEEL).title
    assert text(page(client, "today")).count(title) == 1
    assert f"{base_protocol(PEEL).procedure} on Fri 20 Nov." in text(page(client, "timeline"))
    assert "Read the leaflet before your treatment" not in text(page(client, "today"))


# --- the staff's screenings table -------------------------------------------------------


def screenings_table(client: Client, patient: Patient) -> str:
    html = client.get(reverse("staff:patient", args=[patient.pk])).content.decode()
    return text(html[html.index('<h2 id="screenings">') : html.index('<h2 id="treatments">')])


def test_the_screenings_name_their_procedure_when_the_clinic_performs_more_than_one(
    staff_client: Client, both: Clinic, patient: Patient
) -> None:
    assert screen_peel(staff_client, patient).status_code == 302
    shown = screenings_table(staff_client, patient)
    assert "When Procedure Result Earliest date Screened by" in shown
    assert "Superficial chemical peel Eligible" in shown


def test_a_clinic_of_one_procedure_has_no_procedure_column(
    staff_client: Client, clinic: Clinic, patient: Patient
) -> None:
    enable_procedures(clinic, PEEL)
    assert screen_peel(staff_client, patient).status_code == 302
    shown = screenings_table(staff_client, patient)
    assert "When Result Earliest date Screened by" in shown
    assert "Superficial chemical peel" not in shown
    # A screening of a procedure the clinic no longer performs is named again.
    enable_procedures(clinic, "microneedling")
    assert "Superficial chemical peel Eligible" in screenings_table(staff_client, patient)
