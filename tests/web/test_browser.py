"""The demo, end to end in a real browser: Debian's chromium driven by Playwright.

Staff sign in, add a patient, screen them, record a treatment and create their link; the
patient opens it on a phone-sized screen and reports discharge; the alert is on the clinic
dashboard and staff review it. axe-core (vendored from npm) checks every page visited, and
each page is saved as a screenshot under artifacts/screenshots/ (ignored by git).

Needs /usr/bin/chromium (Debian package ``chromium``): skipped without it, except in CI,
where a missing browser fails.
"""

from __future__ import annotations

import re
import subprocess
from base64 import b32decode
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aftercare.engine.screening import NEVER
from tests.screening_answers import NOTHING_FOUND
from tests.web.live import (
    DEMO_ZONE,
    DESKTOP,
    PHONE,
    TREATED_BEFORE,
    Server,
    Visits,
    aftercare_command,
    create_link,
    launched_browser,
    need_chromium,
    phone_page,
    served_demo,
    sign_in,
    staff_page,
)

# Questions typed as patients type them, each checked against `aftercare ask` at the same
# moment (the portal and the command share one resolver), and against what the plan says
# on day 1: the start of the answer, whatever the date.
QUESTIONS = [
    ("can I wear makeup tomorrow?", "Makeup on ", ": yes, once the redness has gone"),
    ("is it ok to go swimming", "Swimming pool: not yet, from ", ""),
    # Yes or not yet, by the time of day the test runs: the command says which.
    ("can i have a glass of wine tonight", "Alcohol on ", ""),
    ("go for a run", "Strenuous exercise or heavy sweating: not yet, from ", ""),
    ("take a shower", "Warm shower: yes.", ""),
    ("Makeup?", "Makeup: yes, once the redness has gone and the skin has settled.", ""),
    ("when can I start using retinol again", "Retinol, retinoid or vitamin A product: not yet", ""),
    ("can I fly", "Your aftercare leaflets don't cover flying. Ask your clinic.", ""),
    ("can I use my normal moisturiser", "Moisturiser: yes, and you need to: every day", ""),
    ("exercise tomorrow", "Strenuous exercise or heavy sweating on ", ": not yet, from "),
    ("can I go in the sauna this weekend", "Sauna on ", ": not yet, from "),
]
URGENT_QUESTION = "my skin is oozing can I wear makeup"

need_chromium()

from django_otp.oath import totp  # noqa: E402
from playwright.sync_api import Browser, Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with served_demo(tmp_path_factory.mktemp("browser-data")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as browser:
        yield browser


def test_the_demo_from_sign_in_to_a_reviewed_alert(demo: Server, browser: Browser) -> None:
    visits = Visits()
    staff = staff_page(browser, visits)

    staff.goto(f"{demo.url}/login")
    visits.check(staff, "sign-in")
    sign_in(staff, demo)
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    # The demo's red-flag check-in is waiting.
    expect(staff.get_by_text("Carter").first).to_be_visible()
    visits.check(staff, "dashboard")

    staff.get_by_role("link", name="Patients").first.click()
    visits.check(staff, "patients")
    staff.get_by_role("link", name=re.compile("new patient", re.I)).first.click()
    visits.check(staff, "new-patient")
    staff.get_by_label("Given name").fill("Grace")
    staff.get_by_label("Family name").fill("Hughes")
    staff.get_by_label("Date of birth").fill("1988-04-02")
    staff.get_by_label("Email").fill("grace@example.com")
    staff.get_by_label(re.compile("Preferred channel", re.I)).select_option("email")
    staff.get_by_label(re.compile("consent", re.I)).check()
    staff.get_by_role("button", name=re.compile("save", re.I)).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Grace Hughes")
    visits.check(staff, "patient")

    staff.get_by_role("link", name=re.compile("new screening", re.I)).click()
    visits.check(staff, "screening-form")
    expect(staff.locator("input:checked")).to_have_count(0)  # nothing starts answered
    _answer_every_question(staff)
    staff.get_by_role("button", name=re.compile("screen", re.I)).click()
    expect(staff.locator("p.status-eligible strong")).to_have_text("Eligible")
    visits.check(staff, "screening-result")

    staff.get_by_role("link", name="Grace Hughes").first.click()
    staff.get_by_role("link", name=re.compile("new treatment", re.I)).click()
    visits.check(staff, "treatment-form")
    treated_at = (datetime.now(UTC) - TREATED_BEFORE).astimezone(DEMO_ZONE)
    staff.get_by_label(re.compile("^Date", re.I)).fill(f"{treated_at:%Y-%m-%d}")
    staff.get_by_label(re.compile("^Time", re.I)).fill(f"{treated_at:%H:%M}")
    staff.get_by_label(re.compile("needle depth", re.I)).fill("1.0")
    staff.get_by_role("button", name=re.compile("preview", re.I)).click()
    visits.check(staff, "treatment-preview")
    staff.get_by_role("button", name=re.compile("save treatment", re.I)).click()
    visits.check(staff, "treatment")
    with staff.expect_download() as leaflet:
        staff.get_by_role("link", name="Print leaflet (PDF)").click()
    assert leaflet.value.suggested_filename == f"aftercare-{treated_at:%Y-%m-%d}.pdf"
    assert Path(leaflet.value.path()).read_bytes().startswith(b"%PDF-")

    link = create_link(staff, "Grace Hughes", visits)
    expect(staff.locator(".qr svg")).to_be_visible()
    visits.check(staff, "link")
    # The worker inside `aftercare serve` sends the welcome reminder (email, to the console)
    # within its polling interval, with the way to stop messages.
    assert demo.wait_for("To stop these messages:", seconds=20), demo.output[-3000:]
    # The link chosen to be sent goes through the outbox too: the same worker sends it.
    assert demo.wait_for("Subject: Your aftercare plan from Demo Clinic", seconds=20)

    patient_walk(demo, browser, visits, link, treated_at)

    staff.goto(f"{demo.url}/clinic/")
    alert = staff.get_by_role("link", name=re.compile("Grace Hughes")).first
    expect(alert).to_be_visible()
    visits.check(staff, "dashboard-alert")
    staff.locator("tr, li, article").filter(has_text="Grace Hughes").locator(
        "a[href*='/clinic/check-ins/']"
    ).first.click()
    visits.check(staff, "check-in")
    staff.get_by_label(re.compile("What did you do", re.I)).fill("Called Grace; seen today.")
    staff.get_by_role("button", name=re.compile("reviewed", re.I)).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    expect(staff.locator("a[href*='/clinic/check-ins/']").filter(has_text="Grace")).to_have_count(0)
    visits.check(staff, "dashboard-after-review")

    administrator_walk(demo, browser, visits)
    assert visits.problems == []
    assert visits.count >= 24
    assert visits.documents >= visits.count


def _answer_every_question(page: Page) -> None:
    """Answer as a practitioner would, by clicking: nothing found, every question asked."""
    for question, answer in NOTHING_FOUND.items():
        if isinstance(answer, bool):
            page.locator(f"#id_{question}_{0 if answer else 1}").check()
        elif answer == NEVER:
            page.locator(f"#id_{question}__never").check()
        elif page.locator(f"select#id_{question}").count():
            page.locator(f"#id_{question}").select_option(str(answer))
        else:
            page.locator(f"#id_{question}").fill(str(answer))


def change_a_rule(admin: Page, visits: Visits) -> None:
    """The administrator tightens the makeup window from the table of rules: refused
    without a reason, then saved with one and shown in the table."""
    admin.get_by_role("link", name="Clinic", exact=True).first.click()
    admin.get_by_role("link", name="Change Makeup").click()
    admin.get_by_label("New value").fill("48")
    admin.get_by_role("button", name="Change the rule").click()
    expect(admin.get_by_text("The rule has not been changed")).to_be_visible()
    visits.check(admin, "protocol-rule-refused")
    admin.get_by_label("Reason for the change").fill("Breakouts after make-up the next day.")
    admin.get_by_role("button", name="Change the rule").click()
    reason = admin.get_by_role("cell").filter(has_text="Reason: Breakouts after make-up")
    expect(reason).to_be_visible()
    visits.check(admin, "protocol-rule-changed")


def patient_walk(
    demo: Server, browser: Browser, visits: Visits, link: str, treated_at: datetime
) -> None:
    """The patient opens the link on a phone, sees every portal page, asks "can I …?" as
    people ask, and reports discharge."""
    patient = phone_page(browser, visits)
    tabs = patient.get_by_role("navigation", name="Main")
    patient.goto(link)
    visits.check(patient, "portal-open")
    patient.get_by_role("button", name="Open my aftercare plan").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Day 1 of 14")
    expect(patient.locator("progress")).to_have_attribute("value", "1")
    expect(patient.get_by_role("link", name="How are you?", exact=True).last).to_be_visible()
    expect(patient.locator("a[href^='tel:']").first).to_be_visible()
    visits.check(patient, "portal-today")
    patient.set_viewport_size({"width": 360, "height": 640})
    visits.check(patient, "portal-today-360x640")
    patient.emulate_media(color_scheme="dark")
    visits.check(patient, "portal-today-dark")
    patient.emulate_media(color_scheme="light")
    patient.set_viewport_size(DESKTOP)
    visits.check(patient, "portal-today-desktop")
    patient.set_viewport_size(PHONE)
    tabs.get_by_role("link", name="My plan").click()
    expect(patient.locator("[aria-current='date']")).to_contain_text("Today")
    visits.check(patient, "portal-timeline")
    with patient.expect_download() as calendar:
        patient.get_by_role("link", name="Add to my calendar (.ics)").click()
    assert Path(calendar.value.path()).read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    tabs.get_by_role("link", name="Can I…?").click()
    visits.check(patient, "portal-can-i")
    for number, (question, start, middle) in enumerate(QUESTIONS):
        lines = ask_both(demo, patient, question, treated_at)
        assert lines[0].startswith(start), (question, lines)
        assert middle in lines[0], (question, lines)
        if number == 0:
            visits.check(patient, "portal-can-i-answer")
    lines = ask_both(demo, patient, URGENT_QUESTION, treated_at)
    assert lines[0] == "You mentioned discharge or weeping. Please read this first:"
    answer = patient.locator(".answer")
    expect(answer.locator("p").first).to_have_text(lines[1])
    expect(answer).not_to_contain_text("Makeup")
    expect(answer.locator("a[href^='tel:']")).to_be_visible()
    visits.check(patient, "portal-can-i-urgent")
    tabs.get_by_role("link", name="Sessions").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Session 1 of 3")
    visits.check(patient, "portal-course")
    tabs.get_by_role("link", name="How are you?").click()
    visits.check(patient, "portal-check-in")
    patient.get_by_label(re.compile("discharge|pus|fluid", re.I)).first.check()
    patient.get_by_role("radio", name="Getting worse").check()
    patient.get_by_role("button", name=re.compile("send", re.I)).click()
    urgent = patient.locator(".urgent")
    expect(urgent).to_be_visible()
    expect(urgent.locator("a[href^='tel:']")).to_be_visible()
    visits.check(patient, "portal-urgent")
    # Grace's own messages are the last the worker sent.
    stop_links = re.findall(r"To stop these messages: (http[^\s<\"]+)", demo.output)
    assert stop_links
    patient.goto(stop_links[-1])
    visits.check(patient, "portal-stop")
    expect(patient.get_by_role("heading", level=1)).to_have_text("Stop emails from Demo Clinic?")
    patient.get_by_role("button", name="Stop emails").click()
    expect(patient.get_by_role("heading", level=1)).to_contain_text("no more emails")
    visits.check(patient, "portal-stop-done")
    patient.goto(f"{demo.url}/p/")
    patient.get_by_role("button", name="Sign out").click()
    visits.check(patient, "portal-signed-out")
    patient.goto(link)
    visits.check(patient, "portal-link-gone")
    patient.get_by_role("button", name="Ask for a new link").click()
    visits.check(patient, "portal-new-link")
    patient.get_by_label(re.compile("email|mobile", re.I)).fill("grace@example.com")
    patient.get_by_role("button", name="Send me a new link").click()
    visits.check(patient, "portal-new-link-sent")


def ask_both(demo: Server, patient: Page, question: str, treated_at: datetime) -> list[str]:
    """Ask ``question`` in the portal and of `aftercare ask` at the same minute; the answer
    the portal shows first must be the command's first line. Returns the command's lines."""
    before = ask_command(question, treated_at)
    patient.get_by_label(re.compile("Ask as you would ask us")).fill(question)
    patient.get_by_role("button", name="Ask", exact=True).click()
    shown = patient.locator(".answer h2").inner_text().strip()
    # A minute may turn between the two: then the command's answer of the next minute.
    lines = before if shown == before[0] else ask_command(question, treated_at)
    assert shown == lines[0], (question, shown, lines)
    return lines


def ask_command(question: str, treated_at: datetime) -> list[str]:
    at = datetime.now(UTC).astimezone(DEMO_ZONE)
    command = aftercare_command(
        "ask", question, "--tz", "Europe/London",
        "--treated-at", f"{treated_at:%Y-%m-%d %H:%M}", "--at", f"{at:%Y-%m-%d %H:%M}",
    )  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.splitlines()


def administrator_walk(demo: Server, browser: Browser, visits: Visits) -> None:
    """The clinic administrator signs in with two factors and sees the clinic's pages."""
    admin = staff_page(browser, visits)
    sign_in(admin, demo, "admin ")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Your sign-in code")
    visits.check(admin, "two-factor")
    key = b32decode(demo.value("authenticator key").split("(")[0].replace(" ", ""))
    admin.get_by_label("Code").fill(f"{totp(key):06d}")
    admin.get_by_role("button", name="Continue").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    for link, name in [
        ("Clinic", "clinic-settings"),
        ("Staff", "staff-list"),
        ("API keys", "api-keys"),
        ("Audit log", "audit"),
        ("Account", "account"),
    ]:
        admin.get_by_role("link", name=link, exact=True).first.click()
        visits.check(admin, name)
    admin.get_by_role("link", name="Change your password").click()
    visits.check(admin, "password-change")
    change_a_rule(admin, visits)
    forgotten = phone_page(browser, visits)
    forgotten.goto(f"{demo.url}/login")
    forgotten.get_by_role("link", name="Forgotten your password?").click()
    visits.check(forgotten, "password-reset")
