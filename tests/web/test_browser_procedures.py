"""A chemical peel in a real browser: the demo clinic performs microneedling and peels.

Staff choose "Superficial chemical peel" on the screening and treatment pages (the peel's
questions and fields, no needle depth), make the patient's link once screened and record a
peel that ended 30 hours ago. The patient opens the link on a phone before the treatment
(the portal names the peel and offers its leaflet), then on a phone and a desktop sees the
peel's plan, named as the peel's: sauna from day 3, where microneedling says day 14. Each
page is checked by axe and saved as a screenshot beside the demo walk's
(artifacts/screenshots/, names starting "peel-").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.web.live import (
    DEMO_ZONE,
    DESKTOP,
    TREATED_BEFORE,
    Server,
    Visits,
    create_link,
    launched_browser,
    need_chromium,
    phone_page,
    served_demo,
    sign_in,
    staff_page,
)

need_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

PEEL = "Superficial chemical peel"
# The peel's screening as a practitioner clicks it: nothing found, every question asked.
PEEL_ANSWERS = {
    "pregnant": "no",
    "breastfeeding": "no",
    "open_wound": "no",
    "active_herpes": "no",
    "cold_sore_history": "no",
    "immunity": "no",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with served_demo(tmp_path_factory.mktemp("browser-peel")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as browser:
        yield browser


def choose_peel(page: Page) -> None:
    page.get_by_label("Procedure").select_option(label=PEEL)
    page.get_by_role("button", name="Use this procedure").click()
    expect(page.locator("p").filter(has_text="Procedure:")).to_contain_text(PEEL)


def test_a_chemical_peel_from_screening_to_the_patients_portal(
    demo: Server, browser: Browser
) -> None:
    visits = Visits()
    staff = staff_page(browser, visits)
    sign_in(staff, demo)
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Dashboard")

    staff.get_by_role("link", name="Patients").first.click()
    staff.get_by_role("link", name=re.compile("new patient", re.I)).first.click()
    staff.get_by_label("Given name").fill("Priya")
    staff.get_by_label("Family name").fill("Nair")
    staff.get_by_label("Date of birth").fill("1990-06-14")
    staff.get_by_role("button", name=re.compile("save", re.I)).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Priya Nair")

    staff.get_by_role("link", name=re.compile("new screening", re.I)).click()
    choose_peel(staff)
    expect(staff.locator("#id_metal_allergy")).to_have_count(0)  # microneedling's question
    staff.locator("#id_isotretinoin__never").check()
    for question, answer in PEEL_ANSWERS.items():
        staff.locator(f"#id_{question}_{0 if answer == 'yes' else 1}").check()
    staff.locator("#id_allergies").fill("none")
    visits.check(staff, "peel-screening-form")
    staff.get_by_role("button", name=re.compile("^screen", re.I)).click()
    expect(staff.locator("p.status-eligible strong")).to_have_text("Eligible")

    # The patient's link, made once screened: before the treatment, the portal names the
    # procedure and offers its leaflet.
    link = create_link(staff, "Priya Nair")
    patient = phone_page(browser, visits)
    patient.goto(link)
    patient.get_by_role("button", name="Open my aftercare plan").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Your aftercare")
    expect(patient.locator(".eyebrow")).to_have_text(f"{PEEL} aftercare")
    leaflet = patient.get_by_role("link", name=re.compile("Read the leaflet before"))
    expect(leaflet).to_contain_text(f"{PEEL} aftercare (PDF)")
    visits.check(patient, "peel-portal-before-treatment")

    staff.get_by_role("link", name="Priya Nair").first.click()
    staff.get_by_role("link", name=re.compile("new treatment", re.I)).click()
    choose_peel(staff)
    expect(staff.get_by_label(re.compile("needle depth", re.I))).to_have_count(0)
    treated_at = (datetime.now(UTC) - TREATED_BEFORE).astimezone(DEMO_ZONE)
    staff.get_by_label(re.compile("^Date", re.I)).fill(f"{treated_at:%Y-%m-%d}")
    staff.get_by_label(re.compile("^Time", re.I)).fill(f"{treated_at:%H:%M}")
    staff.get_by_label("Device").fill("Glycolic 30%")
    visits.check(staff, "peel-treatment-form")
    staff.get_by_role("button", name=re.compile("save treatment", re.I)).click()
    expect(staff.get_by_text("The treatment has been saved.")).to_be_visible()
    staff.get_by_role("link", name="Priya Nair").first.click()
    # The demo clinic performs two procedures: each screening and treatment names its own.
    screenings = staff.locator("section[aria-labelledby=screenings]")
    expect(screenings.get_by_role("columnheader", name="Procedure")).to_be_visible()
    expect(screenings.get_by_role("cell", name=PEEL)).to_be_visible()
    expect(staff.get_by_role("cell", name=PEEL).first).to_be_visible()
    visits.check(staff, "peel-patient")

    patient.reload()
    # The peel's aftercare lasts three weeks, where microneedling's lasts two.
    expect(patient.get_by_role("heading", level=1)).to_have_text("Day 1 of 21")
    expect(patient.locator(".eyebrow")).to_have_text(f"{PEEL} aftercare")
    visits.check(patient, "peel-portal-today")
    tabs = patient.get_by_role("navigation", name="Main")
    tabs.get_by_role("link", name="Can I…?").click()
    patient.get_by_label(re.compile("Ask as you would ask us")).fill("sauna")
    patient.get_by_role("button", name="Ask", exact=True).click()
    expect(patient.locator(".answer h2")).to_contain_text("(day 3)")
    visits.check(patient, "peel-portal-can-i-sauna")
    tabs.get_by_role("link", name="My plan").click()
    expect(patient.get_by_text("heat in the kitchen or from ironing").first).to_be_visible()
    expect(patient.get_by_text(re.compile(f"^{PEEL} on "))).to_be_visible()
    visits.check(patient, "peel-portal-plan")
    patient.set_viewport_size(DESKTOP)
    tabs.get_by_role("link", name="Today").click()
    visits.check(patient, "peel-portal-today-desktop")
    assert visits.problems == []
