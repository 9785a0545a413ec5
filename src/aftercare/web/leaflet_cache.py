"""Treatment leaflets kept as made, so one that has not changed is not laid out again.

Laying out a leaflet takes WeasyPrint most of a second; the same treatment, clinic and
protocol version always give the same paper. A leaflet is kept under a hash of everything
it is made from (the export subject with the protocol's version in place of the protocol,
and the leaflet's templates), in ``DATA_DIR/cache/leaflets``, shared by every web process;
any change to the treatment, the patient's name, the clinic's details or logo, an earlier
session or the protocol makes a new key. A file that cannot be read is made again; the oldest
files go once there are more than ``MAX_FILES``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from aftercare.exports import Subject
from aftercare.exports.pdf import TEMPLATES

__all__ = ["MAX_FILES", "cached_leaflet", "leaflet_key"]

MAX_FILES = 2000
PDF_START = b"%PDF-"


@cache
def _templates_hash() -> str:
    """The leaflet's templates and stylesheet as installed: a deployment that changes them
    makes every leaflet anew."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def leaflet_key(subject: Subject) -> str:
    """A hash of what the leaflet of ``subject`` is made from, the same in every process."""
    # The protocol's version stands for the protocol: it hashes its whole content.
    fields = {f.name: getattr(subject, f.name) for f in dataclasses.fields(subject)}
    fields["protocol"] = subject.protocol.version
    inputs = json.dumps(_canonical(fields), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{inputs}\0{_templates_hash()}".encode()).hexdigest()


def _canonical(value: Any) -> Any:
    """``value`` as JSON whose text does not depend on the process (sets sorted)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(repr(_canonical(item)) for item in value)
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, bytes):
        # The clinic's logo: its digest names it, in a key of a fixed size.
        return hashlib.sha256(value).hexdigest()
    return repr(value)


def _folder() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "leaflets"


def cached_leaflet(subject: Subject, render: Callable[[Subject], bytes]) -> bytes:
    """The leaflet of ``subject``: kept from before, or ``render(subject)`` and kept."""
    path = _folder() / f"{leaflet_key(subject)}.pdf"
    with contextlib.suppress(OSError):
        kept = path.read_bytes()
        if kept.startswith(PDF_START):
            return kept
    pdf = render(subject)
    _keep(path, pdf)
    return pdf


def _keep(path: Path, pdf: bytes) -> None:
    """Write whole or not at all; a full or read-only cache only costs the next reader."""
    written: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as file:
            written = Path(file.name)
            file.write(pdf)
        written.replace(path)
        _trim(path.parent)
    except OSError:
        if written is not None:
            written.unlink(missing_ok=True)


def _trim(folder: Path) -> None:
    files = list(folder.glob("*.pdf"))
    if len(files) <= MAX_FILES:
        return
    files.sort(key=lambda file: file.stat().st_mtime)
    for old in files[: len(files) - MAX_FILES]:
        old.unlink(missing_ok=True)
