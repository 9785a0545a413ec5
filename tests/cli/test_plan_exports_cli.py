"""`aftercare plan --format pdf|ics|fhir`: the exports from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
from pypdf import PdfReader

from tests.cli.test_plan_cli import run

# The evening before the UK clocks go back: day 1 falls at 19:00 on the clock.
TREATED = ["plan", "--treated-at", "2026-10-24 20:00", "--patient", "Grace Hughes"]
CLINIC = ["--clinic", "Harbour Clinic", "--urgent-phone", "020 7946 0101"]


def test_it_writes_the_leaflet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    leaflet = tmp_path / "leaflet.pdf"
    code, out, _ = run(capsys, *TREATED, *CLINIC, "--format", "pdf", "-o", str(leaflet))
    assert (code, out) == (0, "")
    text = " ".join(page.extract_text() for page in PdfReader(leaflet).pages)
    assert "Grace Hughes" in text
    assert "Harbour Clinic" in text
    assert "020 7946 0101" in text
    assert "Sun 25 Oct, 19:00" in text


def test_it_writes_the_calendar(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "plan.ics"
    code, _, _ = run(capsys, *TREATED, "--format", "ics", "-o", str(path))
    assert code == 0
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) > 10
    assert len({str(event["UID"]) for event in events}) == len(events)


def test_it_prints_the_fhir_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *TREATED, *CLINIC, "--format", "fhir")
    bundle = json.loads(out)
    assert code == 0
    assert bundle["resourceType"] == "Bundle"
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "Procedure", "CarePlan", "PlanDefinition", "Questionnaire"} <= kinds


@pytest.mark.parametrize("kind", ["pdf", "ics"])
def test_a_file_format_needs_a_file(capsys: pytest.CaptureFixture[str], kind: str) -> None:
    code, out, err = run(capsys, *TREATED, "--format", kind)
    assert (code, out) == (2, "")
    assert err == f"aftercare: error: --format {kind} writes a file: give it with -o FILE\n"


def test_an_unwritable_file_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *TREATED, "--format", "ics", "-o", "/no/such/dir/plan.ics")
    assert code == 2
    assert err == (
        "aftercare: error: cannot write /no/such/dir/plan.ics: No such file or directory\n"
    )


def test_a_bad_earlier_session_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *TREATED, "--format", "fhir", "--earlier-session", "2026-13-01")
    assert code == 2
    assert err.endswith("'2026-13-01' is not a date such as 2026-11-21\n")
    assert len(err.splitlines()) == 1


def test_the_text_plan_can_go_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    code, out, _ = run(capsys, "plan", "--treated-at", "2026-11-21 10:30", "-o", str(path))
    assert (code, out) == (0, "")
    assert path.read_text().startswith("Aftercare plan: treatment ended Sat 21 Nov, 10:30")


def test_an_earlier_session_must_be_earlier(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *TREATED, "--format", "fhir", "--earlier-session", "2026-10-24")
    assert code == 2
    assert err == (
        "aftercare: error: --earlier-session 2026-10-24 is not before the treatment on 2026-10-24\n"
    )
