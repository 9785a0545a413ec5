"""Each clinic's effective protocol: its overlay and its age setting, built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftercare.protocols.load import ProtocolError
from aftercare.web.clinic.models import Clinic
from aftercare.web.protocol import base_protocol, clinic_protocol, effective_protocol

OVERLAYS = Path(__file__).parent.parent / "fixtures" / "overlays"


def _older_age(overlay: str, age: int) -> int | None:
    protocol = effective_protocol(overlay, age, "test")
    return next(m.at_least for m in protocol.modifiers if m.id == "older_patient")


def test_a_clinic_without_overlay_or_settings_works_to_the_base_protocol() -> None:
    assert effective_protocol("", 65, "test") is base_protocol()


def test_the_age_setting_is_recorded_as_an_overlay_change() -> None:
    protocol = effective_protocol("", 60, "test")
    assert _older_age("", 60) == 60
    assert protocol.version != base_protocol().version
    (change,) = protocol.overlay.changes if protocol.overlay else ()
    assert (change.item, change.old, change.new, change.effect) == (
        "older_patient",
        65,
        60,
        "relaxes",
    )
    assert change.reason


def test_the_age_setting_joins_the_clinic_overlay() -> None:
    text = (OVERLAYS / "harbour-clinic.yaml").read_text()
    protocol = effective_protocol(text, 70, "test")
    assert protocol.effective_id == "microneedling+harbour-clinic"
    assert [c.item for c in protocol.overlay.changes] == [  # type: ignore[union-attr]
        "SC-isotretinoin-recent",
        "AC-sunscreen",
        "older_patient",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: [", "expected"),
        ("- a list", "an overlay file is a YAML mapping"),
        ("id: x\nprotocol: microneedling\ntitle: t\nchanges: []\n", "at least one change"),
        (
            "id: x\nprotocol: microneedling\ntitle: t\nchanges:\n"
            "  - item: AC-sunscreen\n    set: {min_spf: 30}\n",
            "needs a reason",
        ),
    ],
)
def test_a_broken_overlay_is_reported(text: str, message: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        effective_protocol(text, 65, "test")
    assert message in " ".join(issue.message for issue in raised.value.issues)


@pytest.mark.django_db
def test_the_clinic_protocol_is_cached(clinic: Clinic) -> None:
    assert clinic_protocol(clinic) is clinic_protocol(clinic)
