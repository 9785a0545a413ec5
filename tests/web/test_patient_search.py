"""Staff search by full name: the words in order start the whole name, either way round."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftercare.web.clinic.models import Clinic, Patient
from aftercare.web.staff.patient_search import search
from tests.web.conftest import make_clinic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

PEOPLE = [
    ("Jane", "Smith"),
    ("Jane", "Smithson"),
    ("Janet", "Smithers"),
    ("Mary Ann", "van der Berg"),
    ("Zoë", "O'Brien"),
    ("Smith", "Jones"),
]


@pytest.fixture
def people(clinic: Clinic) -> None:
    for given, family in PEOPLE:
        Patient.objects.create(
            clinic=clinic, given_name=given, family_name=family, email=f"{given[:3]}@example.org"
        )
    other = make_clinic("elsewhere")
    Patient.objects.create(clinic=other, given_name="Jane", family_name="Smith")


def found(clinic: Clinic, query: str) -> list[str]:
    patients = search(Patient.objects.filter(clinic=clinic), query)
    return sorted(str(p) for p in patients)


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("jane smith", ["Jane Smith", "Jane Smithson"]),
        ("JANE  SMITH", ["Jane Smith", "Jane Smithson"]),
        ("jane smi", ["Jane Smith", "Jane Smithson"]),
        ("smith jane", ["Jane Smith"]),
        ("smith ja", ["Jane Smith"]),
        ("jane smiths", ["Jane Smithson"]),
        ("mary ann van der", ["Mary Ann van der Berg"]),
        ("van der berg mary", ["Mary Ann van der Berg"]),
        ("zoe o'bri", ["Zoë O'Brien"]),
        ("o'brien zoë", ["Zoë O'Brien"]),
        ("smith jones", ["Smith Jones"]),
        # No name starts so: each word matched on its own, as a single word always is.
        ("ja smi", ["Jane Smith", "Jane Smithson", "Janet Smithers"]),
        ("smithers jane", ["Janet Smithers"]),
        ("van mary", ["Mary Ann van der Berg"]),
        ("berg mary", []),
        ("jan@example smith", ["Jane Smith", "Jane Smithson", "Janet Smithers"]),
        ("jane brown", []),
        ("smith", ["Jane Smith", "Jane Smithson", "Janet Smithers", "Smith Jones"]),
    ],
)
def test_it_finds_a_full_name_in_either_order(clinic: Clinic, query: str, names: list[str]) -> None:
    assert found(clinic, query) == names


@pytest.mark.usefixtures("people")
def test_it_reads_a_full_name_from_the_name_keys_alone(clinic: Clinic) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert found(clinic, "jane smi") == ["Jane Smith", "Jane Smithson"]
    read = " ".join(query["sql"].split("WHERE", 1)[1] for query in queries.captured_queries)
    assert "name_key" in read
    assert "given_key" not in read
    assert "family_key" not in read


def test_it_keeps_the_name_keys_when_a_name_changes(clinic: Clinic) -> None:
    patient = Patient.objects.create(clinic=clinic, given_name="Jane", family_name="Smith")
    patient.family_name = "Brown"
    patient.save()
    assert found(clinic, "jane brown") == ["Jane Brown"]
    assert found(clinic, "brown jane") == ["Jane Brown"]
    assert found(clinic, "jane smith") == []


def test_the_page_shows_a_full_name_search(staff_client: Client, clinic: Clinic) -> None:
    Patient.objects.create(clinic=clinic, given_name="Jane", family_name="Smith")
    Patient.objects.create(clinic=clinic, given_name="Jane", family_name="Brown")
    page = staff_client.get(reverse("staff:patients"), {"q": "smith jane"}).text
    assert "Smith, Jane" in page
    assert "Brown, Jane" not in page
