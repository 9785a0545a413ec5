"""Phone numbers as people type them, read into one exact form."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from aftercare.web.clinic.models import Clinic, Patient
from aftercare.web.phones import display, e164


@pytest.mark.parametrize(
    "typed",
    ["07700 900123", "07700900123", "+44 7700 900123", "0044 (7700) 900-123", " 07700.900.123 "],
)
def test_every_spelling_of_a_uk_mobile_is_one_number(typed: str) -> None:
    assert e164(typed, mobile=True) == "+447700900123"


def test_international_numbers_keep_their_country() -> None:
    assert e164("+33 6 12 34 56 78", mobile=True) == "+33612345678"
    assert e164("+1 415 555 2671") == "+14155552671"


def test_a_landline_is_a_number_but_a_short_one_is_no_mobile() -> None:
    assert e164("020 7946 0002") == "+442079460002"
    assert e164("12345", mobile=True) is None


@pytest.mark.parametrize(
    "typed",
    ["", "not a number", "07700 90O123", "999", "+", "\u0660\u0667\u0667\u0660\u0660 900123"],
)
def test_what_is_not_a_phone_number_is_refused(typed: str) -> None:
    assert e164(typed, mobile=True) is None


@pytest.mark.django_db
def test_the_migration_rewrites_stored_mobiles_and_keeps_unreadable_ones(
    clinic: Clinic,
) -> None:
    typed = {"Ann": "07700 900001", "Bea": "+44 (7700) 900002", "Cal": "call reception", "Dee": ""}
    for name, mobile in typed.items():
        Patient.objects.create(clinic=clinic, given_name=name, family_name="X", mobile=mobile)
    migration = importlib.import_module(
        "aftercare.web.clinic.migrations.0003_patient_contact_indexes"
    )
    migration.mobiles_to_e164(django_apps, None)
    stored = dict(Patient.objects.values_list("given_name", "mobile"))
    assert stored == {
        "Ann": "+447700900001",
        "Bea": "+447700900002",
        "Cal": "call reception",
        "Dee": "",
    }


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+447700900123", "07700 900123"),
        ("+442079460001", "020 7946 0001"),
        ("+33612345678", "+33 6 12 34 56 78"),
        ("not a number", "not a number"),
    ],
)
def test_it_shows_a_stored_number_as_people_write_it(stored: str, shown: str) -> None:
    assert display(stored) == shown
