"""A reminder schedule in a protocol file: each item's fields fit its kind, and a broken
schedule is refused with the path and line of each problem (on the mini protocol's file)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aftercare.protocols.load import ProtocolError, ProtocolIssue, load_protocol
from aftercare.protocols.schema import ReminderItem
from tests.engine.mini import MINI_PATH


def issues_of(tmp_path: Path, old: str, new: str) -> tuple[tuple[ProtocolIssue, ...], str]:
    """The issues of the mini protocol with one edit, and the edited text."""
    text = MINI_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    edited = text.replace(old, new)
    path = tmp_path / "protocol.yaml"
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(ProtocolError) as raised:
        load_protocol(path)
    return raised.value.issues, edited


def line_of_text(text: str, needle: str) -> int:
    assert text.count(needle) == 1, f"not unique: {needle!r}"
    return text[: text.index(needle)].count("\n") + 1


SUNSCREEN_AT = '    kind: sunscreen\n    at: "08:00"\n'
SUNSCREEN_ITEM = "  - id: RM-sunscreen\n"


@pytest.mark.parametrize(
    ("old", "new", "path", "message", "on"),
    [
        (
            SUNSCREEN_AT,
            '    kind: birthday\n    at: "08:00"\n',
            "reminders[2].kind",
            "Input should be 'welcome', 'change', 'sunscreen', 'check_in', 'next_session' "
            "or 'maintenance'",
            "kind: birthday",
        ),
        (
            SUNSCREEN_AT,
            '    kind: sunscreen\n    at: "25:00"\n',
            "reminders[2].at",
            "'25:00' is not a time of day; use HH:MM, from 00:00 to 23:59",
            'at: "25:00"',
        ),
        (
            SUNSCREEN_AT,
            '    kind: sunscreen\n    at: "8am"\n',
            "reminders[2].at",
            "'8am' is not a time of day; use HH:MM, from 00:00 to 23:59",
            'at: "8am"',
        ),
        (
            SUNSCREEN_AT,
            '    kind: sunscreen\n    at: "08:00"\n    days: [2]\n',
            "reminders[2]",
            "a 'check_in' reminder, and only that, lists its days",
            SUNSCREEN_ITEM,
        ),
        (
            SUNSCREEN_AT,
            '    kind: check_in\n    at: "08:00"\n',
            "reminders[2]",
            "a 'check_in' reminder, and only that, lists its days",
            SUNSCREEN_ITEM,
        ),
        (
            "    first_day: 1\n",
            "    first_day: 15\n",
            "reminders[2]",
            "first_day cannot come after last_day",
            SUNSCREEN_ITEM,
        ),
        (
            "    rule: AC-sunscreen\n",
            "    rule: AC-sauna\n",
            "reminders[2].rule",
            "'AC-sauna' is not a 'do' rule with a min_spf",
            "rule: AC-sauna",
        ),
        (
            "    rule: AC-sunscreen\n",
            "    rule: AC-suncream\n",
            "reminders[2].rule",
            "unknown aftercare rule 'AC-suncream'",
            "rule: AC-suncream",
        ),
        (
            "text: Sunscreen, SPF {spf} or higher.",
            "text: Sunscreen, SPF {spf} or higher {until}.",
            "reminders[2]",
            "unknown placeholder '{until}' in text; this kind has {spf}",
            SUNSCREEN_ITEM,
        ),
        (
            "  - id: RM-next-session\n    kind: next_session\n",
            "  - id: RM-next-session\n    kind: maintenance\n",
            "reminders[5].kind",
            "there is already a 'maintenance' reminder",
            '    kind: maintenance\n    at: "10:00"\n    text: Book maintenance',
        ),
        (
            "  - id: RM-maintenance\n",
            "  - id: RM-next-session\n    extra: 1\n",
            "reminders[5].extra",
            "Extra inputs are not permitted",
            "extra: 1",
        ),
        (
            "  - id: RM-next-session\n    kind: next_session\n",
            "  - id: RM-next-session\n    kind: welcome\n",
            "reminders[4]",
            "every reminder but the welcome has a local time 'at'",
            "  - id: RM-next-session\n",
        ),
        (
            "    days: [1, 3]\n",
            "    days: [3, 1]\n",
            "reminders[3]",
            "days are listed once each, in rising order",
            "  - id: RM-check-in\n",
        ),
        (
            "    days: [1, 3]\n",
            "    days: [0, 3]\n",
            "reminders[3].days[0]",
            "Input should be greater than or equal to 1",
            "days: [0, 3]",
        ),
    ],
)
def test_it_reports_a_broken_schedule_with_path_and_line(
    tmp_path: Path, old: str, new: str, path: str, message: str, on: str
) -> None:
    issues, edited = issues_of(tmp_path, old, new)

    assert issues == (ProtocolIssue(path, message, line_of_text(edited, on)),)


def test_it_reports_a_reminder_id_used_twice(tmp_path: Path) -> None:
    issues, edited = issues_of(tmp_path, "  - id: RM-maintenance\n", "  - id: RM-next-session\n")

    assert issues == (
        ProtocolIssue(
            "reminders[5].id",
            "'RM-next-session' is defined more than once",
            line_of_text(edited, "  - id: RM-next-session\n    kind: maintenance"),
        ),
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "welcome", "at": "09:00"}, "every reminder but the welcome has a local time"),
        ({"kind": "check_in", "at": "09:00", "days": (1,), "rule": "AC-sunscreen"}, "first_day"),
        ({"kind": "change", "at": "09:00", "avoid_ended_text": "x"}, "routine_ended_text"),
        ({"kind": "welcome", "text": "Hello {name}"}, "unknown placeholder '{name}'"),
        ({"kind": "welcome", "text": "A stray } brace"}, "a brace in text is not a placeholder"),
        ({"kind": "next_session", "at": "09:00", "text": "Until {}"}, "this kind has {earliest}"),
    ],
)
def test_it_refuses_fields_that_do_not_fit_the_kind(
    fields: dict[str, object], message: str
) -> None:
    data = {
        "id": "RM-test",
        "text": "Hello",
        "provenance": "literature",
        "sources": ({"literature": "A source"},),
        **fields,
    }

    with pytest.raises(ValueError, match=re.escape(message)):
        ReminderItem.model_validate(data)
