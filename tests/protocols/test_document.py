"""A YAML document's issues: printed with their path and line, paths as people read them."""

from __future__ import annotations

import pytest

from aftercare.protocols.document import ProtocolIssue, format_path, to_plain


@pytest.mark.parametrize(
    ("issue", "printed"),
    [
        (
            ProtocolIssue("aftercare[3].gate", "unknown skin state 'x'", 88),
            "aftercare[3].gate: unknown skin state 'x' (line 88)",
        ),
        (
            ProtocolIssue("", "a protocol file is a YAML mapping", 1),
            "(top level): a protocol file is a YAML mapping (line 1)",
        ),
        (ProtocolIssue("course", "too many sessions"), "course: too many sessions"),
    ],
)
def test_it_prints_an_issue_as_path_message_and_line(issue: ProtocolIssue, printed: str) -> None:
    assert str(issue) == printed


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("aftercare", 3, "activities", 1), "aftercare[3].activities[1]"),
        (("course",), "course"),
        (("changes", 0, "set", "trigger.within_days"), "changes[0].set.trigger.within_days"),
        ((), ""),
    ],
)
def test_it_formats_a_path_as_people_read_it(loc: tuple[int | str, ...], path: str) -> None:
    assert format_path(loc) == path


def test_it_turns_yaml_into_plain_values() -> None:
    assert to_plain({"a": [1, {"b": ["c"]}]}) == {"a": (1, {"b": ("c",)})}
