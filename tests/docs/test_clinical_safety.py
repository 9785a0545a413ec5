"""The clinical safety file: the hazard log names real tests, and every decision is listed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from aftercare.protocols.load import load_protocol
from aftercare.protocols.schema import Cited, Protocol

ROOT = Path(__file__).resolve().parents[2]
SAFETY = ROOT / "docs" / "clinical-safety"
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
HAZARD = re.compile(r"^## (H\d+) (.+)$", re.MULTILINE)
RISK = re.compile(r"\*\*(Initial|Residual) risk:\*\* S(\d) \N{MULTIPLICATION SIGN} L(\d) = (\d+)")
FIELDS = ("**Cause:**", "**Effect:**", "**Harm:**", "**Initial risk:**", "**Controls:**")
NAMED_HAZARDS = (
    "Missed or late reminder",
    "Duplicate or night-time reminder",
    "Another patient's data shown",
    "Red flag not seen by staff",
    "Plan from a wrong date or time zone",
    "Unasked screening answer recorded",
    "Wrong activity matched",
    "Allergic reaction triaged too low",
    "Outdated protocol version served",
)


def missing_tests(text: str, root: Path) -> list[str]:
    """The test ids ``text`` names that are not a test function in the file it names."""
    missing = []
    for path, name in TEST_ID.findall(text):
        file = root / path
        if not file.is_file() or name not in _test_names(file):
            missing.append(f"{path}::{name}")
    return missing


def _test_names(file: Path) -> set[str]:
    tree = ast.parse(file.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def hazards(text: str) -> dict[str, str]:
    """Each hazard's title with the text of its section."""
    heads = list(HAZARD.finditer(text))
    ends = [head.start() for head in heads[1:]] + [len(text)]
    return {head.group(2): text[head.end() : end] for head, end in zip(heads, ends, strict=True)}


def controls(section: str) -> list[str]:
    """The bullets under **Controls:**, each joined into one line."""
    block = section.split("**Controls:**", 1)[1].split("- **Residual risk:**", 1)[0]
    return [" ".join(item.split()) for item in re.split(r"\n  - ", block)[1:]]


@pytest.fixture(scope="module")
def log() -> str:
    return (SAFETY / "hazard-log.md").read_text(encoding="utf-8")


def test_it_names_only_tests_that_exist(log: str) -> None:
    assert TEST_ID.search(log), "the hazard log names no tests"
    assert missing_tests(log, ROOT) == []


def test_it_notices_a_test_that_does_not_exist(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("def test_there():\n    pass\n")
    text = "`tests/test_x.py::test_there` `tests/test_x.py::test_gone` `tests/test_y.py::test_a`"
    assert missing_tests(text, tmp_path) == [
        "tests/test_x.py::test_gone",
        "tests/test_y.py::test_a",
    ]


def test_it_has_each_hazard_the_issue_names(log: str) -> None:
    titles = set(hazards(log))
    assert [name for name in NAMED_HAZARDS if name not in titles] == []


def test_each_hazard_gives_every_field_and_consistent_risks(log: str) -> None:
    for title, section in hazards(log).items():
        assert [field for field in FIELDS if field not in section] == [], title
        risks = RISK.findall(section)
        assert [kind for kind, *_ in risks] == ["Initial", "Residual"], title
        for kind, severity, likelihood, score in risks:
            assert int(severity) * int(likelihood) == int(score), f"{title}: {kind} risk"


def test_each_control_names_its_tests_or_says_it_is_planned(log: str) -> None:
    for title, section in hazards(log).items():
        items = controls(section)
        assert items, title
        for item in items:
            assert TEST_ID.search(item) or item.endswith("*(planned)*."), f"{title}: {item}"


def _cited(protocol: Protocol) -> list[tuple[str, Cited]]:
    items: list[tuple[str, Cited]] = [("triage", protocol.triage), ("course", protocol.course)]
    for group in (
        protocol.modifiers,
        protocol.aftercare,
        protocol.symptoms,
        protocol.screening.rules,
        protocol.reminders,
        protocol.information,
    ):
        items += [(item.id, item) for item in group]
    return items


def test_every_decision_citing_literature_is_listed_for_sign_off() -> None:
    # The microneedling rows only: the chemical peel's section reuses some item ids.
    decisions = (SAFETY / "decisions.md").read_text(encoding="utf-8").split("## Chemical peel")[0]
    listed = set(re.findall(r"^\| `([^`]+)` \|", decisions, re.MULTILINE))
    literature = {
        item_id
        for item_id, item in _cited(load_protocol())
        if any(source.literature for source in item.sources)
    }
    assert sorted(literature - listed) == []


def test_every_decision_says_whether_it_is_signed_off() -> None:
    decisions = (SAFETY / "decisions.md").read_text(encoding="utf-8")
    rows = [line for line in decisions.splitlines() if line.startswith("| `")]
    assert rows
    for row in rows:
        status = row.rstrip(" |").rsplit("|", 1)[1].strip()
        assert status == "Needs clinical sign-off" or status.startswith("Signed off by "), row
