"""Loading a protocol: each broken file is reported with every issue, its path and its line.

The broken files are the real protocol with one or two targeted edits, so each test shows
exactly what was broken; lines are found in the edited text, not written down by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftercare.protocols.load import (
    ProtocolError,
    ProtocolIssue,
    default_protocol_path,
    load_protocol,
)
from aftercare.protocols.schema import Protocol
from tests.protocols.edits import edited, issues_of, line_of_text

ALCOHOL_RULE = "  - id: AC-alcohol\n    kind: avoid\n    activities: [alcohol]\n"
ALCOHOL_HOURS = "    allowed_from_hours: 48\n"


@pytest.fixture(scope="module")
def text() -> str:
    return default_protocol_path().read_text(encoding="utf-8")


def rule_index(protocol: Protocol, rule_id: str) -> int:
    return [rule.id for rule in protocol.aftercare].index(rule_id)


def test_it_loads_the_built_in_protocol(protocol: Protocol) -> None:
    assert (protocol.id, protocol.language, protocol.overlay) == ("microneedling", "en-GB", None)
    assert load_protocol(default_protocol_path()) == protocol


def test_it_gives_the_line_of_a_syntax_error(tmp_path: Path) -> None:
    issues = issues_of(tmp_path, "id: microneedling\ntitle: [Medical microneedling\n")

    assert issues == (ProtocolIssue("", "expected ',' or ']', but got '<stream end>'", 3),)


def test_it_refuses_a_duplicate_key(tmp_path: Path, text: str) -> None:
    broken = edited(text, "language: en-GB\n", "language: en-GB\nlanguage: en-US\n")

    assert issues_of(tmp_path, broken) == (
        ProtocolIssue(
            "",
            'found duplicate key "language" with value "en-US" (original value: "en-GB")',
            line_of_text(broken, "language: en-US"),
        ),
    )


def test_it_refuses_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    assert issues_of(tmp_path, "- just\n- a list\n") == (
        ProtocolIssue("", "a protocol file is a YAML mapping", 1),
    )


def test_it_reports_two_independent_errors_together(
    tmp_path: Path, text: str, protocol: Protocol
) -> None:
    broken = edited(text, "language: en-GB\n", "language: en-GB\ncolour: amber\n")
    broken = edited(
        broken, ALCOHOL_RULE + ALCOHOL_HOURS, ALCOHOL_RULE + "    allowed_from_hours: -48\n"
    )
    index = rule_index(protocol, "AC-alcohol")

    assert issues_of(tmp_path, broken) == (
        ProtocolIssue(
            f"aftercare[{index}].allowed_from_hours",
            "Input should be greater than or equal to 0",
            line_of_text(broken, "allowed_from_hours: -48"),
        ),
        ProtocolIssue("colour", "Extra inputs are not permitted", line_of_text(broken, "colour:")),
    )


def test_it_reports_an_unknown_activity_where_the_rule_names_it(
    tmp_path: Path, text: str, protocol: Protocol
) -> None:
    broken = edited(text, "activities: [alcohol]", "activities: [alcohol, karaoke]")

    assert issues_of(tmp_path, broken) == (
        ProtocolIssue(
            f"aftercare[{rule_index(protocol, 'AC-alcohol')}].activities[1]",
            "unknown activity 'karaoke'",
            line_of_text(broken, "activities: [alcohol, karaoke]"),
        ),
    )


def test_it_refuses_an_activity_covered_by_two_rules(
    tmp_path: Path, text: str, protocol: Protocol
) -> None:
    broken = edited(text, "activities: [alcohol]", "activities: [alcohol, sauna]")
    sauna = [activity.id for activity in protocol.activities].index("sauna")

    assert issues_of(tmp_path, broken) == (
        ProtocolIssue(
            f"activities[{sauna}].id",
            "activity 'sauna' is named by 2 aftercare rules; it needs exactly one",
            line_of_text(broken, "{id: sauna,"),
        ),
    )


def test_it_refuses_a_leaflet_that_no_item_cites(tmp_path: Path, text: str) -> None:
    extra = "  - id: S005\n    file: 005_extra.txt\n    title: A leaflet nobody quotes\n"
    broken = edited(text, "\nareas:\n", f"{extra}\nareas:\n")

    assert issues_of(tmp_path, broken) == (
        ProtocolIssue(
            "leaflets[5]",
            "leaflet '005_extra.txt' is listed but never cited",
            line_of_text(broken, "  - id: S005"),
        ),
    )


def test_it_refuses_a_file_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError) as raised:
        load_protocol(tmp_path / "missing.yaml")

    (issue,) = raised.value.issues
    assert issue.path == ""
    assert issue.message.startswith("cannot read the file: ")


def test_it_refuses_an_ask_back_naming_an_unknown_activity(tmp_path: Path, text: str) -> None:
    broken = edited(
        text,
        "activities: [other_facial_procedure, peeling_agent]\n"
        "      text: Did you mean a chemical peel",
        "activities: [chemical_peel, peeling_agent]\n      text: Did you mean a chemical peel",
    )

    messages = [(issue.path, issue.message) for issue in issues_of(tmp_path, broken)]
    assert messages == [("asking.ask_back[0].activities[0]", "unknown activity 'chemical_peel'")]


def test_it_refuses_a_name_that_reads_as_two_things(tmp_path: Path, text: str) -> None:
    # "my sauna" reads as "sauna" once the question frame's "my" is skipped.
    broken = edited(text, "aliases: [fly, flying,", "aliases: [my sauna, fly, flying,")

    messages = [issue.message for issue in issues_of(tmp_path, broken)]
    assert messages == ["'my sauna' reads as activity 'sauna' and as topic 'flying'"]


def test_it_refuses_a_language_without_a_phrase_table(tmp_path: Path, text: str) -> None:
    broken = edited(text, "language: en-GB\n", "language: fr-FR\n")

    assert issues_of(tmp_path, broken) == (
        ProtocolIssue(
            "language",
            "no phrases for language 'fr-FR'; phrase tables exist for en-GB",
            line_of_text(broken, "language: fr-FR"),
        ),
    )
