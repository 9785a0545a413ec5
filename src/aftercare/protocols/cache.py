"""A cache of validated protocols, so a command need not parse the YAML each time it runs.

Parsing the protocol's YAML takes most of a command's time. After a protocol (and its
overlay) has passed every check, the validated model is written as JSON under a key that
hashes the bytes of both files and the source of the code that reads and checks them. A later
load with the same files reads the JSON back through the same strict models, so a cache
that was changed by hand is checked again like any input, and a cache that cannot be
read, does not parse or does not validate is ignored and rebuilt: it is never trusted
as it stands. JSON holds only data, unlike pickle, which could run code when read.

The cache lives in ``AFTERCARE_CACHE_DIR`` or the user's cache directory; when none can be
written the protocol is simply loaded from YAML each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from aftercare.protocols.references import reference_issues
from aftercare.protocols.schema import Protocol

__all__ = ["cache_dir", "cache_key", "cached_protocol", "code_files"]

FORMAT = "1"
_PACKAGE = Path(__file__).parent


def cache_dir() -> Path | None:
    """Where validated protocols are kept, or None where there is no such place."""
    configured = os.environ.get("AFTERCARE_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aftercare"


def code_files() -> list[Path]:
    """The modules that read and check a protocol: this package's, its subpackages' too."""
    return sorted(_PACKAGE.rglob("*.py"))


def cache_key(*files: Path | None, max_bytes: int) -> str | None:
    """The hash of the files' bytes and of the code that reads and checks them (this
    package's modules, by name and content, so a cache written by other code is never
    read); None if a file cannot be read or is longer than ``max_bytes`` (the loader then
    reports it)."""
    digest = hashlib.sha256(FORMAT.encode())
    try:
        for module in code_files():
            digest.update(module.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            digest.update(module.read_bytes())
        for file in files:
            if file is not None and file.stat().st_size > max_bytes:
                return None
            digest.update(b"\0" if file is None else b"\1" + file.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def cached_protocol(key: str | None, build: Callable[[], Protocol]) -> Protocol:
    """The protocol cached under ``key``, checked again; else ``build()``, then cached."""
    folder = cache_dir()
    if key is None or folder is None:
        return build()
    path = folder / f"protocol-{key}.json"
    protocol = _read(path)
    if protocol is None:
        protocol = build()
        _write(path, protocol)
    return protocol


def _read(path: Path) -> Protocol | None:
    try:
        text = path.read_bytes()
    except OSError:
        return None
    try:
        protocol = Protocol.model_validate_json(text)
    except ValidationError:
        return None
    return None if any(True for _ in reference_issues(protocol)) else protocol


def _write(path: Path, protocol: Protocol) -> None:
    """Write whole or not at all: a reader sees the old file, the new one or none."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".protocol-", delete=False
        ) as file:
            written = Path(file.name)
            file.write(protocol.model_dump_json())
        written.replace(path)
    except OSError:
        # An unwritable cache only costs the next command its parse.
        with contextlib.suppress(OSError, NameError):
            written.unlink(missing_ok=True)
