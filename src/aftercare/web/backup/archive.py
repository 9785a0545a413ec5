"""The backup file: a tar archive of ``manifest.json`` and the database, optionally sealed
with a passphrase.

Sealing is ``cryptography``'s Fernet (AES-128-CBC with HMAC-SHA256), keyed by scrypt from
the passphrase and a random salt stored in the file: no cryptography of our own. A sealed
file starts with ``MAGIC``; anything else is read as a plain tar archive.
"""

from __future__ import annotations

import base64
import io
import json
import os
import tarfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

__all__ = [
    "MAGIC",
    "MIN_PASSPHRASE",
    "BackupError",
    "Manifest",
    "read_archive",
    "write_archive",
]

MAGIC = b"AFTERCARE-SEALED-BACKUP-1\n"
SALT_BYTES = 16
# scrypt's cost: about 0.1 s and 32 MiB per guess (RFC 7914's interactive setting, doubled).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 12
MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, in one line."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: the database kind, its tables' row counts, and its file."""

    engine: str
    database_file: str
    created_at: str
    counts: dict[str, int] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def summary(self) -> str:
        return f"{len(self.counts)} tables, {sum(self.counts.values())} rows"


def write_archive(out: Path, manifest: Manifest, database: Path, passphrase: str | None) -> None:
    """Write ``out`` (through a temporary name, so a half-written backup is never there)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        body = json.dumps(asdict(manifest), indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        archive.addfile(info, io.BytesIO(body))
        archive.add(database, arcname=manifest.database_file)
    data = buffer.getvalue()
    if passphrase is not None:
        data = _seal(data, passphrase)
    partial = out.with_name(f".{out.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    partial.replace(out)


def read_archive(path: Path, passphrase: str | None, into: Path) -> tuple[Manifest, Path]:
    """Open ``path`` (unsealing it if sealed); the manifest and the database, put in ``into``."""
    data = path.read_bytes()
    if data.startswith(MAGIC):
        if passphrase is None:
            raise BackupError(
                f"{path} is encrypted: set AFTERCARE_BACKUP_PASSPHRASE to its passphrase"
            )
        data = _unseal(data, passphrase)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            manifest = _manifest(archive)
            archive.extract(manifest.database_file, into, filter="data")
    except (tarfile.TarError, KeyError, ValueError, TypeError) as error:
        raise BackupError(f"{path} is not an Aftercare backup ({error})") from None
    return manifest, into / manifest.database_file


def _manifest(archive: tarfile.TarFile) -> Manifest:
    member = archive.extractfile(MANIFEST)
    if member is None:
        raise KeyError(MANIFEST)
    manifest = Manifest(**json.loads(member.read()))
    if manifest.format_version != FORMAT_VERSION or "/" in manifest.database_file:
        raise ValueError(f"unknown backup format {manifest.format_version}")
    return manifest


def _key(passphrase: str, salt: bytes) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode()))


def _seal(data: bytes, passphrase: str) -> bytes:
    salt = os.urandom(SALT_BYTES)
    return MAGIC + salt + Fernet(_key(passphrase, salt)).encrypt(data)


def _unseal(data: bytes, passphrase: str) -> bytes:
    salt = data[len(MAGIC) : len(MAGIC) + SALT_BYTES]
    token = data[len(MAGIC) + SALT_BYTES :]
    try:
        return Fernet(_key(passphrase, salt)).decrypt(token)
    except InvalidToken:
        raise BackupError("the passphrase is wrong, or the backup is damaged") from None
