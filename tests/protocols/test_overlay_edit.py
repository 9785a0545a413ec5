"""Setting one field of one item in an overlay's text, keeping what an expert wrote."""

from __future__ import annotations

import pytest

from aftercare.protocols.load import ProtocolError
from aftercare.protocols.overlay_edit import FieldChange, set_field

NAMES = {"protocol_id": "microneedling", "overlay_id": "clinic-settings", "title": "Alpha"}

EXPERT = """\
# Agreed in May
id: harbour
protocol: microneedling
title: Harbour rules
changes:
  - item: AC-sunscreen
    set: {min_spf: 30, allowed_from_hours: 0}  # mineral
    reason: We supply SPF30.
"""


@pytest.mark.parametrize(
    ("text", "change", "expected"),
    [
        (
            "",
            FieldChange("AC-makeup", "allowed_from_hours", 48, "Breakouts."),
            "id: clinic-settings\nprotocol: microneedling\ntitle: Alpha\nchanges:\n"
            "  - item: AC-makeup\n    set: {allowed_from_hours: 48}\n    reason: Breakouts.\n",
        ),
        (
            EXPERT,
            FieldChange("AC-makeup", "allowed_from_hours", 48, "Breakouts."),
            EXPERT + "  - item: AC-makeup\n    set: {allowed_from_hours: 48}\n"
            "    reason: Breakouts.\n",
        ),
        (
            EXPERT,
            FieldChange("AC-sunscreen", "min_spf", 40, "Higher."),
            # The comment keeps its column.
            EXPERT.replace(
                "{min_spf: 30, allowed_from_hours: 0}  #",
                "{allowed_from_hours: 0}" + " " * 15 + "#",
            )
            + "  - item: AC-sunscreen\n    set: {min_spf: 40}\n    reason: Higher.\n",
        ),
        (
            EXPERT.replace("min_spf: 30, ", ""),
            FieldChange("AC-sunscreen", "allowed_from_hours", 24, "Later."),
            EXPERT.replace(
                "min_spf: 30, allowed_from_hours: 0}  #", "allowed_from_hours: 24} #"
            ).replace("We supply SPF30.", "Later."),
        ),
        (
            EXPERT.replace("min_spf: 30, ", ""),
            FieldChange("AC-sunscreen", "allowed_from_hours", 0, "", standard=True),
            "",
        ),
    ],
    ids=["new", "added", "split", "in-place", "standard-empties"],
)
def test_it_sets_one_field(text: str, change: FieldChange, expected: str) -> None:
    assert set_field(text, change, **NAMES) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just text", "an overlay file is a YAML mapping"),
        ("id: x\nchanges: 3\n", "'changes' is not a list of changes"),
        ("id: [unclosed", "expected ',' or ']'"),
    ],
)
def test_it_refuses_text_it_cannot_edit(text: str, message: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        set_field(text, FieldChange("AC-makeup", "allowed_from_hours", 48, "x"), **NAMES)
    assert message in " ".join(issue.message for issue in raised.value.issues)
