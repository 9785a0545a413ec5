"""Leaflet downloads: staff of the patient's clinic, the signed-in patient, and nobody else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from pytest_django import DjangoAssertNumQueries

from aftercare.web import export_pdf
from aftercare.web.clinic.models import (
    AuditEvent,
    Clinic,
    Patient,
    StaffMember,
    Treatment,
    set_logo,
)
from tests.web.conftest import NOW, picture, sign_in_staff
from tests.web.test_portal_plan import sign_in, treat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

QueryBound = Callable[..., DjangoAssertNumQueries]


def text(content: bytes) -> str:
    pages = PdfReader(BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def leaflet_url(treatment: Treatment) -> str:
    return reverse("staff:treatment_leaflet", args=[treatment.patient_id, treatment.pk])


@pytest.fixture
def treatment(patient: Patient, practitioner: StaffMember) -> Treatment:
    # 10:30 UTC is 10:30 in London in November.
    return treat(patient, practitioner, datetime(2026, 11, 18, 10, 30, tzinfo=UTC))


def test_it_downloads_the_treatment_leaflet(
    client: Client, practitioner: StaffMember, treatment: Treatment
) -> None:
    client.force_login(practitioner.user)
    response = client.get(leaflet_url(treatment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="aftercare-2026-11-18.pdf"'
    shown = text(response.content)
    assert "For Alice Patient, after your treatment on Wed 18 Nov, 10:30 (Europe/London)" in shown
    assert "Call Alpha Clinic now on 020 7946 0002" in shown
    assert "Day 3, Sat 21 Nov, 10:30" in shown
    event = AuditEvent.objects.get(action="export.pdf")
    assert (event.patient_id, event.actor_staff_id, event.object_id, event.outcome) == (
        treatment.patient_id,
        practitioner.pk,
        str(treatment.pk),
        "allowed",
    )


def test_it_shows_the_time_in_the_zone_recorded_with_the_treatment(
    client: Client, practitioner: StaffMember, patient: Patient
) -> None:
    treatment = treat(
        patient, practitioner, datetime(2026, 11, 18, 15, 30, tzinfo=UTC), "America/New_York"
    )
    client.force_login(practitioner.user)
    shown = text(client.get(leaflet_url(treatment)).content)
    assert "Wed 18 Nov, 10:30 (America/New_York)" in shown


def test_it_counts_earlier_sessions_without_a_query_each(
    client: Client,
    practitioner: StaffMember,
    treatment: Treatment,
    django_assert_max_num_queries: QueryBound,
) -> None:
    for weeks in (20, 10, 5):
        treat(treatment.patient, practitioner, treatment.treated_at - timedelta(weeks=weeks))
    client.force_login(practitioner.user)
    # Session, staff, patient, treatment, audit, earlier treatments, the length planned for
    # the course (and savepoints).
    with django_assert_max_num_queries(11):
        response = client.get(leaflet_url(treatment))
    assert "This was session 4 of a planned 4." in text(response.content)


def test_another_clinic_gets_a_404_without_the_name(
    client: Client, outsider: StaffMember, treatment: Treatment
) -> None:
    client.force_login(outsider.user)
    response = client.get(leaflet_url(treatment))
    assert response.status_code == 404
    assert b"Alice" not in response.content
    denied = AuditEvent.objects.get(action="export.pdf")
    assert (denied.outcome, denied.clinic_id) == ("denied", outsider.clinic_id)
    assert denied.patient_id is None


def test_a_treatment_of_another_patient_is_404(
    client: Client,
    practitioner: StaffMember,
    treatment: Treatment,
    other_patient: Patient,
) -> None:
    client.force_login(practitioner.user)
    url = reverse("staff:treatment_leaflet", args=[other_patient.pk, treatment.pk])
    assert client.get(url).status_code == 404


def test_a_cancelled_treatment_has_no_leaflet(
    client: Client, practitioner: StaffMember, treatment: Treatment
) -> None:
    Treatment.objects.filter(pk=treatment.pk).update(cancelled_at=NOW)
    client.force_login(practitioner.user)
    assert client.get(leaflet_url(treatment)).status_code == 404
    assert not AuditEvent.objects.filter(action="export.pdf", outcome="allowed").exists()


def test_it_refuses_post(client: Client, practitioner: StaffMember, treatment: Treatment) -> None:
    client.force_login(practitioner.user)
    assert client.post(leaflet_url(treatment)).status_code == 405
    assert client.post(reverse("staff:clinic_leaflet")).status_code == 405
    assert not AuditEvent.objects.filter(action="export.pdf").exists()


@pytest.mark.parametrize("who", ["practitioner", "outsider"])
def test_the_clinic_leaflet_is_of_the_staff_members_own_clinic(
    client: Client, request: pytest.FixtureRequest, clinic: Clinic, who: str
) -> None:
    staff: StaffMember = request.getfixturevalue(who)
    client.force_login(staff.user)
    response = client.get(reverse("staff:clinic_leaflet"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="aftercare-leaflet.pdf"'
    shown = text(response.content)
    assert f"Call {staff.clinic.name} now on 020 7946 0002" in shown
    assert "For the first 14 days (336 hours): Avoid extreme heat" in shown
    other = "Beta Clinic" if who == "practitioner" else "Alpha Clinic"
    assert other not in shown


def test_the_patient_downloads_their_own_leaflet(
    client: Client, patient: Patient, treatment: Treatment
) -> None:
    sign_in(client, patient)
    response = client.get(reverse("portal:leaflet"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="aftercare-2026-11-18.pdf"'
    assert "For Alice Patient, after your treatment on Wed 18 Nov, 10:30" in text(response.content)
    event = AuditEvent.objects.get(action="export.pdf")
    assert (event.actor_kind, event.actor_patient_id, event.patient_id) == (
        "patient",
        patient.pk,
        patient.pk,
    )


def test_a_patient_without_a_treatment_gets_the_generic_leaflet(
    client: Client, other_patient: Patient, treatment: Treatment
) -> None:
    sign_in(client, other_patient)
    response = client.get(reverse("portal:leaflet"))
    assert response["Content-Disposition"] == 'attachment; filename="aftercare-leaflet.pdf"'
    shown = text(response.content)
    assert "Alice" not in shown
    assert "Bob" not in shown
    assert "Call Alpha Clinic now on 020 7946 0002" in shown
    assert AuditEvent.objects.get(action="export.pdf").patient_id == other_patient.pk


def test_the_pages_link_to_the_leaflets(
    client: Client,
    patient: Patient,
    practitioner: StaffMember,
    clinic_admin: StaffMember,
    treatment: Treatment,
) -> None:
    client.force_login(practitioner.user)
    detail = client.get(reverse("staff:treatment", args=[patient.pk, treatment.pk]))
    assert f'href="{leaflet_url(treatment)}" download>Print leaflet (PDF)</a>' in detail.text
    assert "Why: Heat widens blood vessels" not in detail.text
    sign_in_staff(client, clinic_admin)
    settings_page = client.get(reverse("staff:clinic_settings")).text
    assert f'href="{reverse("staff:clinic_leaflet")}" download>' in settings_page
    client.logout()
    sign_in(client, patient)
    today = client.get(reverse("portal:today")).text
    assert f'href="{reverse("portal:leaflet")}" download>Download your leaflet (PDF)</a>' in today


def test_it_serves_an_unchanged_leaflet_from_the_cache_and_audits_every_download(
    client: Client,
    practitioner: StaffMember,
    treatment: Treatment,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.DATA_DIR = tmp_path
    made: list[str] = []
    render = export_pdf.render_treatment_leaflet

    def counted(subject: Any) -> bytes:
        made.append(subject.patient_name)
        return render(subject)

    monkeypatch.setattr(export_pdf, "render_treatment_leaflet", counted)
    client.force_login(practitioner.user)
    first = client.get(leaflet_url(treatment)).content
    second = client.get(leaflet_url(treatment)).content
    assert (first == second, len(made)) == (True, 1)
    assert AuditEvent.objects.filter(action="export.pdf").count() == 2

    Clinic.objects.filter(pk=treatment.patient.clinic_id).update(urgent_phone="020 7946 0999")
    changed_clinic = text(client.get(leaflet_url(treatment)).content)
    Patient.objects.filter(pk=treatment.patient_id).update(given_name="Alicia")
    changed_name = text(client.get(leaflet_url(treatment)).content)

    assert len(made) == 3
    assert "Call Alpha Clinic now on 020 7946 0999" in changed_clinic
    assert "For Alicia Patient" in changed_name


def test_it_makes_a_leaflet_again_when_the_kept_one_is_damaged(
    client: Client, practitioner: StaffMember, treatment: Treatment, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    client.force_login(practitioner.user)
    client.get(leaflet_url(treatment))
    (kept,) = (tmp_path / "cache" / "leaflets").glob("*.pdf")
    kept.write_bytes(b"not a leaflet")
    again = client.get(leaflet_url(treatment)).content
    assert "For Alice Patient" in text(again)
    assert kept.read_bytes() == again


def images(content: bytes) -> list[tuple[int, int]]:
    """The sizes of the pictures drawn on the leaflet's first page."""
    first = PdfReader(BytesIO(content)).pages[0]
    return [image.image.size for image in first.images if image.image is not None]


def test_the_clinics_logo_is_on_the_leaflet_and_a_new_logo_makes_it_again(
    client: Client, practitioner: StaffMember, treatment: Treatment, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    clinic = treatment.patient.clinic
    client.force_login(practitioner.user)
    assert images(client.get(leaflet_url(treatment)).content) == []
    set_logo(clinic, picture(size=(200, 80)))
    assert images(client.get(leaflet_url(treatment)).content) == [(200, 80)]
    set_logo(clinic, picture(size=(240, 60)))
    assert images(client.get(leaflet_url(treatment)).content) == [(240, 60)]
    assert images(client.get(reverse("staff:clinic_leaflet")).content) == [(240, 60)]
    set_logo(clinic, None)
    assert images(client.get(leaflet_url(treatment)).content) == []
    assert len(list((tmp_path / "cache" / "leaflets").glob("*.pdf"))) == 3
