"""A cache of validated protocols and phrase tables, so a command need not parse YAML
each time it runs.

Parsing YAML takes most of a command's time. After a protocol (and its overlay), or a phrase
table, has passed every check, the validated model is written as JSON under a key that hashes
the bytes of its files, the source of the code that reads and checks them, and the versions of
pydantic and Python. A later load with the same files reads the JSON back through the same
strict models (and the caller's own checks, such as a protocol's references), so a cache that
was changed by hand is checked again like any input, and a cache that cannot be read, does
not parse or does not validate is ignored and rebuilt: it is never trusted as it stands. JSON
holds only data, unlike pickle, which could run code when read.

The cache lives in ``AFTERCARE_CACHE_DIR`` or the user's cache directory; when none can be
written the file is simply read from YAML each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel
from pydantic.version import VERSION as PYDANTIC_VERSION

__all__ = ["cache_dir", "cache_key", "cached", "code_files", "content_key"]

FORMAT = "2"
_PACKAGE = Path(__file__).parent
Model = TypeVar("Model", bound=BaseModel)


def cache_dir() -> Path | None:
    """Where validated files are kept, or None where there is no such place (an empty
    ``AFTERCARE_CACHE_DIR``, or no home directory to find the user's cache in)."""
    configured = os.environ.get("AFTERCARE_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "aftercare"


def code_files() -> list[Path]:
    """The modules that read and check a protocol: this package's, its subpackages' too."""
    return sorted(_PACKAGE.rglob("*.py"))


def cache_key(*files: Path | None, max_bytes: int) -> str | None:
    """The key of the files' bytes (see :func:`content_key`); None if a file cannot be read
    or is longer than ``max_bytes`` (the loader then reports it)."""
    contents = []
    try:
        for file in files:
            if file is not None and file.stat().st_size > max_bytes:
                return None
            contents.append(None if file is None else file.read_bytes())
    except OSError:
        return None
    return content_key(*contents)


def content_key(*contents: bytes | None) -> str | None:
    """The hash of ``contents`` (None for a file not given) and of the code that reads and
    checks them, so a cache written by other code is never read; None if that code cannot
    be read."""
    code = _code_digest()
    if code is None:
        return None
    digest = hashlib.sha256(code.encode())
    for content in contents:
        digest.update(b"\0" if content is None else b"\1" + _length(content) + content)
    return digest.hexdigest()


@cache
def _code_digest() -> str | None:
    """This package's modules by name and content, with the versions of pydantic and Python
    (whose validators and JSON the cache relies on): read once a process."""
    digest = hashlib.sha256(f"{FORMAT}\0{PYDANTIC_VERSION}\0{sys.version}\0".encode())
    try:
        for module in code_files():
            source = module.read_bytes()
            digest.update(module.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            digest.update(_length(source) + source)
    except OSError:
        return None
    return digest.hexdigest()


def _length(content: bytes) -> bytes:
    """A length prefix, so that two files' bytes can never be cut apart differently."""
    return len(content).to_bytes(8, "big")


def cached(
    kind: str,
    key: str | None,
    model: type[Model],
    build: Callable[[], Model],
    is_sound: Callable[[Model], bool] = lambda _: True,
) -> Model:
    """The ``model`` cached as ``kind`` under ``key``, validated again and ``is_sound``;
    else ``build()``, then cached."""
    folder = cache_dir()
    if key is None or folder is None:
        return build()
    path = folder / f"{kind}-{key}.json"
    value = _read(path, model)
    if value is None or not is_sound(value):
        value = build()
        _write(path, value)
    return value


def _read(path: Path, model: type[Model]) -> Model | None:
    try:
        text = path.read_bytes()
    except OSError:
        return None
    try:
        return model.model_validate_json(text)
    except ValueError:
        # A ValidationError is one (JSON that does not parse, or breaks the schema), and so
        # are bytes that are not UTF-8.
        return None


def _write(path: Path, value: Model) -> None:
    """Write whole or not at all: a reader sees the old file, the new one or none. A value
    whose JSON does not read back equal (a field left out of the JSON, say) is not written,
    so that a cache can only ever give back what was built."""
    text = value.model_dump_json(by_alias=True)
    try:
        if type(value).model_validate_json(text) != value:
            return
    except ValueError:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".cache-", delete=False
        ) as file:
            written = Path(file.name)
            file.write(text)
        written.replace(path)
    except OSError:
        # An unwritable cache only costs the next command its parse.
        with contextlib.suppress(OSError, NameError):
            written.unlink(missing_ok=True)
