"""The registry of protocols: one YAML file is one procedure, found by its file's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftercare.protocols.cache import cache_key
from aftercare.protocols.load import MAX_PROTOCOL_BYTES, ProtocolError
from aftercare.protocols.registry import (
    PACKAGED_DIRECTORY,
    ProtocolRegistry,
    UnknownProtocolError,
    packaged_protocols,
)

PEEL = PACKAGED_DIRECTORY / "chemical-peel.yaml"


def third_protocol(folder: Path, protocol_id: str = "third-procedure") -> Path:
    """A third procedure written as data only: the peel's file under another id."""
    text = PEEL.read_text(encoding="utf-8").replace("id: chemical-peel\n", f"id: {protocol_id}\n")
    path = folder / "third-procedure.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_lists_exactly_the_packaged_yaml_files() -> None:
    files = sorted(path.name for path in PACKAGED_DIRECTORY.glob("*.yaml"))
    assert packaged_protocols().ids == ("chemical-peel", "microneedling")
    assert [path.name for path in packaged_protocols().paths.values()] == files


def test_each_packaged_protocol_loads_under_its_own_id() -> None:
    loaded = {protocol.id: protocol for protocol in packaged_protocols().load_all()}
    assert sorted(loaded) == ["chemical-peel", "microneedling"]
    assert loaded["chemical-peel"].title == "Superficial chemical peel aftercare"
    assert loaded["chemical-peel"].version != loaded["microneedling"].version


def test_a_third_procedure_needs_only_a_yaml_file(tmp_path: Path) -> None:
    third_protocol(tmp_path)
    registry = ProtocolRegistry((PACKAGED_DIRECTORY, tmp_path))
    assert registry.ids == ("chemical-peel", "microneedling", "third-procedure")
    protocol = registry.load("third-procedure")
    assert protocol.id == "third-procedure"
    assert protocol.index.activity_rules["sauna"].id == "AC-heat"


def test_a_later_directory_cannot_hide_a_packaged_protocol(tmp_path: Path) -> None:
    (tmp_path / "microneedling.yaml").write_text("not: a protocol\n", encoding="utf-8")
    registry = ProtocolRegistry((PACKAGED_DIRECTORY, tmp_path))
    assert registry.path("microneedling") == PACKAGED_DIRECTORY / "microneedling.yaml"


def test_it_names_the_protocols_there_are_for_an_unknown_id() -> None:
    with pytest.raises(UnknownProtocolError) as raised:
        packaged_protocols().path("botox")
    assert str(raised.value.args[0]) == (
        "unknown protocol 'botox'; there are: chemical-peel, microneedling"
    )


def test_it_refuses_a_file_whose_id_is_not_its_name(tmp_path: Path) -> None:
    third_protocol(tmp_path, protocol_id="something-else")
    with pytest.raises(ProtocolError) as raised:
        ProtocolRegistry((tmp_path,)).load("third-procedure")
    assert [str(issue) for issue in raised.value.issues] == [
        "id: the file holds protocol 'something-else', but its name says 'third-procedure'"
    ]


def test_the_cache_keeps_each_protocol_under_its_own_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFTERCARE_CACHE_DIR", str(tmp_path))
    registry = packaged_protocols()
    keys = {
        protocol_id: cache_key(registry.path(protocol_id), None, max_bytes=MAX_PROTOCOL_BYTES)
        for protocol_id in registry.ids
    }
    assert len(set(keys.values())) == 2
    first = {protocol_id: registry.load(protocol_id) for protocol_id in registry.ids}
    cached = sorted(path.name for path in tmp_path.glob("protocol-*.json"))
    assert cached == sorted(f"protocol-{key}.json" for key in keys.values())
    again = {protocol_id: registry.load(protocol_id) for protocol_id in registry.ids}
    assert {k: (p.id, p.version) for k, p in again.items()} == {
        k: (p.id, p.version) for k, p in first.items()
    }
