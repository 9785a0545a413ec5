"""How bad a symptom is: a patient can say mild, moderate or "severe, more than I'd expect"
for each symptom whose level depends on it, in the portal and through both check-in APIs;
severe bruising ("more than average", 001) and very red skin (000) reach "contact the
clinic" while they are still within their expected window.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from aftercare.web.clinic.models import CheckIn, Patient, StaffMember, Treatment
from tests.web.conftest import NOW, sign_in_staff
from tests.web.test_api_access import ok, post, problem
from tests.web.test_api_me import Browser
from tests.web.test_portal_plan import set_now, sign_in, text, treat

pytestmark = pytest.mark.django_db

CHECK_IN = reverse("portal:check_in")
BRUISING_SEVERE = "Bruising that is more than average should be checked by your clinic."
REDNESS_SEVERE = "Very red skin is an uncommon reaction that your clinic should see."
REDNESS_EXPECTED = (
    "Redness like mild sunburn is normal; it fades over the first two days and can linger a "
    "little longer."
)


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    set_now(monkeypatch, NOW)


@pytest.fixture
def treated(patient: Patient, practitioner: StaffMember) -> Treatment:
    """Treated 30 hours ago: redness and bruising are both still expected."""
    return treat(patient, practitioner, NOW - timedelta(hours=30))


@pytest.fixture
def alice(client: Client, patient: Patient) -> Client:
    sign_in(client, patient)
    return client


def check_in(client: Client, data: dict[str, object]) -> str:
    posted = client.post(CHECK_IN, {"trend": "stable", **data})
    assert posted.status_code == 302, posted.content
    return text(client.get(posted["Location"]).content.decode())


def test_the_form_asks_how_bad_under_each_symptom_that_depends_on_it(
    alice: Client, treated: Treatment
) -> None:
    html = alice.get(CHECK_IN).content.decode()
    assert "<legend>How bad is it? (bruising)</legend>" in html
    assert "<legend>How bad is it? (redness or flushing)</legend>" in html
    for grade in ("Mild", "Moderate", "Severe, more than I&#x27;d expect"):
        assert re.search(
            rf'<input type="radio" name="severity_bruising" value="\w+"[^>]*>\s*{grade}</label>',
            html,
        ), grade
    # A red flag is urgent however bad it is: no "how bad" to answer.
    assert 'name="severity_discharge"' not in html
    assert 'name="severity_severe_allergic_reaction"' not in html


def test_severe_bruising_within_its_window_is_contact_the_clinic(
    alice: Client, treated: Treatment
) -> None:
    page = check_in(alice, {"symptoms": ["bruising"], "severity_bruising": "severe"})
    assert f"Bruising: {BRUISING_SEVERE}" in page
    assert "Contact the clinic" in page
    stored = CheckIn.objects.get()
    assert (stored.level, stored.symptoms) == (
        "contact_clinic",
        [{"symptom": "bruising", "severity": "severe"}],
    )


def test_very_red_skin_is_contact_the_clinic_and_mild_redness_is_expected(
    alice: Client, treated: Treatment
) -> None:
    page = check_in(alice, {"symptoms": ["redness"], "severity_redness": "severe"})
    assert f"Redness or flushing: {REDNESS_SEVERE}" in page
    assert CheckIn.objects.get().level == "contact_clinic"
    page = check_in(alice, {"symptoms": ["redness"], "severity_redness": "mild"})
    assert f"Redness or flushing: {REDNESS_EXPECTED}" in page
    assert CheckIn.objects.latest("pk").level == "expected"


def test_a_grade_without_its_box_ticked_reports_nothing(alice: Client, treated: Treatment) -> None:
    page = check_in(
        alice, {"symptoms": ["redness"], "severity_redness": "mild", "severity_bruising": "severe"}
    )
    assert "Bruising" not in page
    stored = CheckIn.objects.get()
    assert (stored.level, stored.symptoms) == (
        "expected",
        [{"symptom": "redness", "severity": "mild"}],
    )


def test_an_unknown_grade_is_a_form_error_that_keeps_what_was_typed(
    alice: Client, treated: Treatment
) -> None:
    response = alice.post(
        CHECK_IN,
        {
            "symptoms": ["bruising"],
            "severity_bruising": "unbearable",
            "trend": "stable",
            "free_text": "Purple under the left eye",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose mild, moderate or severe." in html
    assert "Purple under the left eye</textarea>" in html
    assert not CheckIn.objects.exists()


def test_staff_see_how_bad_the_patient_said_it_was(
    alice: Client, treated: Treatment, practitioner: StaffMember
) -> None:
    check_in(alice, {"symptoms": ["bruising"], "severity_bruising": "severe"})
    stored = CheckIn.objects.get()
    staff = sign_in_staff(Client(), practitioner)
    review = text(staff.get(reverse("staff:check_in", args=[stored.pk])).content.decode())
    assert "Bruising (severe)" in review
    assert BRUISING_SEVERE in review


def test_the_treatment_api_takes_a_symptom_with_its_severity(
    api_client: Client, treated: Treatment
) -> None:
    url = f"/api/v1/treatments/{treated.pk}/check-ins"
    body = {"symptoms": [{"symptom": "purple marks", "severity": "severe"}], "trend": "stable"}
    created = ok(post(api_client, url, body), 201)
    assert (created["level"], created["symptoms"], created["severities"]) == (
        "contact_clinic",
        ["bruising"],
        {"bruising": "severe"},
    )
    body = {"symptoms": ["red skin", {"symptom": "bruising", "severity": "moderate"}]}
    created = ok(post(api_client, url, body | {"trend": "improving"}), 201)
    assert (created["level"], created["symptoms"], created["severities"]) == (
        "expected",
        ["redness", "bruising"],
        {"bruising": "moderate"},
    )
    wrong = problem(
        post(api_client, url, {"symptoms": [{"symptom": "bruising", "severity": "awful"}]}), 422
    )
    assert "severity" in str(wrong)
    assert CheckIn.objects.count() == 2


def test_the_patients_api_takes_a_symptom_with_its_severity(
    patient: Patient, treated: Treatment
) -> None:
    alice = Browser(patient)
    body = {"symptoms": [{"symptom": "redness", "severity": "severe"}], "trend": "stable"}
    created = ok(alice.post("check-ins", body), 201)
    assert (created["level"], created["severities"]) == ("contact_clinic", {"redness": "severe"})
    assert ok(alice.get(f"check-ins/{created['id']}"))["severities"] == {"redness": "severe"}
