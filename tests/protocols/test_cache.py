"""The cache of validated protocols: the same protocol back, and never a bad file trusted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

import aftercare.protocols
from aftercare.protocols import cache as cache_module
from aftercare.protocols.cache import cache_dir, cache_key, cached, code_files, content_key
from aftercare.protocols.load import (
    MAX_PROTOCOL_BYTES,
    ProtocolError,
    default_protocol_path,
    load_protocol,
)
from aftercare.protocols.phrasebook import DEFAULT_LANGUAGE, Phrases, phrases_for

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


def test_it_reads_the_overlay_again_when_it_changes(cache: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(OVERLAY.read_text())
    before = load_protocol(overlay=overlay)
    overlay.write_text(OVERLAY.read_text().replace("min_spf: 30", "min_spf: 40"))

    after = load_protocol(overlay=overlay)

    assert after.version != before.version
    assert [rule.min_spf for rule in after.aftercare if rule.id == "AC-sunscreen"] == [40]
    assert len(list(cache.glob("protocol-*.json"))) == 2


def test_it_keys_the_cache_on_the_versions_of_pydantic_and_python(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = content_key(b"id: microneedling")
    monkeypatch.setattr(cache_module, "PYDANTIC_VERSION", "0.0.1")
    cache_module._code_digest.cache_clear()
    try:
        assert content_key(b"id: microneedling") != key
    finally:
        monkeypatch.undo()
        cache_module._code_digest.cache_clear()
    assert content_key(b"id: microneedling") == key


def test_it_tells_files_apart_however_their_bytes_are_cut() -> None:
    assert content_key(b"ab", b"c") != content_key(b"a", b"bc")
    assert content_key(b"a", None) != content_key(b"a")


def test_it_caches_the_phrase_table_and_ignores_a_damaged_one(cache: Path) -> None:
    read = phrases_for.__wrapped__  # the table as a new process reads it, past the memo
    table = read(DEFAULT_LANGUAGE)
    (path,) = cache.glob("phrases-*.json")
    assert read(DEFAULT_LANGUAGE) == table
    # Valid JSON, but a phrase whose {placeholders} the renderer cannot fill.
    data = json.loads(path.read_text())
    data["check"]["from"] = "From {nowhere}."
    path.write_text(json.dumps(data))

    assert read(DEFAULT_LANGUAGE) == table
    assert Phrases.model_validate_json(path.read_text()) == table


class Lossy(BaseModel):
    """A model whose JSON leaves a field out, so it cannot read back equal."""

    kept: str
    left_out: str = Field(default="", exclude=True)


def test_it_writes_nothing_that_would_not_read_back_equal(cache: Path) -> None:
    value = Lossy(kept="a", left_out="b")

    assert cached("lossy", "key", Lossy, lambda: value) == value
    assert not list(cache.glob("lossy-*.json"))


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


def test_it_keeps_the_cache_in_the_users_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AFTERCARE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    load_protocol()

    assert cache_dir() == tmp_path / "aftercare"
    assert len(list((tmp_path / "aftercare").glob("protocol-*.json"))) == 1


def test_it_loads_without_a_cache_where_there_is_no_home_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("AFTERCARE_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))

    assert cache_dir() is None
    assert load_protocol().id == "microneedling"
