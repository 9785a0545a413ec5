"""The cache of validated protocols: the same protocol back, and never a bad file trusted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import aftercare.protocols
from aftercare.protocols.cache import cache_key, code_files
from aftercare.protocols.load import (
    MAX_PROTOCOL_BYTES,
    ProtocolError,
    default_protocol_path,
    load_protocol,
)

OVERLAY = Path(__file__).parents[1] / "fixtures" / "overlays" / "harbour-clinic.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("AFTERCARE_CACHE_DIR", str(folder))
    return folder


def cached_file(cache: Path, overlay: Path | None = None) -> Path:
    key = cache_key(default_protocol_path(), overlay, max_bytes=MAX_PROTOCOL_BYTES)
    return cache / f"protocol-{key}.json"


@pytest.mark.parametrize("overlay", [None, OVERLAY])
def test_it_gives_back_the_same_protocol_and_version_from_the_cache(
    cache: Path, overlay: Path | None
) -> None:
    parsed = load_protocol(overlay=overlay)
    assert cached_file(cache, overlay).is_file()

    again = load_protocol(overlay=overlay)

    assert again == parsed
    assert again.version == parsed.version
    assert again.effective_id == parsed.effective_id


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: "not json at all",
        # Valid JSON that breaks the schema: a window that ends before it starts.
        lambda text: text.replace('"horizon_hours":', '"horizon_hours":-1,"x":', 1),
        lambda text: json.dumps({**json.loads(text), "aftercare": "everything goes"}),
    ],
)
def test_it_ignores_a_damaged_cache_and_writes_a_good_one(cache: Path, damage: object) -> None:
    parsed = load_protocol()
    path = cached_file(cache)
    path.write_text(damage(path.read_text()))  # type: ignore[operator]

    assert load_protocol() == parsed
    assert json.loads(path.read_text()) == json.loads(parsed.model_dump_json())


def test_it_reads_the_file_again_when_it_changes(cache: Path, tmp_path: Path) -> None:
    copy = tmp_path / "protocol.yaml"
    shutil.copy(default_protocol_path(), copy)
    before = load_protocol(copy)
    copy.write_text(copy.read_text().replace("horizon_hours: ", "horizon_hours: 1", 1))

    after = load_protocol(copy)

    assert after.horizon_hours != before.horizon_hours
    assert after.version != before.version


def test_it_caches_no_protocol_with_errors(cache: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\n")

    with pytest.raises(ProtocolError):
        load_protocol(broken)
    with pytest.raises(ProtocolError):
        load_protocol(broken)
    assert not any(cache.glob("protocol-*.json"))


def test_it_loads_without_a_cache_where_none_can_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("AFTERCARE_CACHE_DIR", str(blocker / "cache"))

    assert load_protocol().version == load_protocol().version


def test_it_keys_the_cache_on_every_module_that_reads_or_checks_a_protocol() -> None:
    package = Path(aftercare.protocols.__file__).parent
    names = {path.relative_to(package).as_posix() for path in code_files()}

    assert {"load.py", "references.py", "schema/protocol.py", "schema/rules.py"} <= names
