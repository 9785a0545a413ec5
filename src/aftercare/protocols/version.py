"""The version of a protocol: a short hash of its content.

Every stored plan, check-in and screening records the version of the effective
protocol it used (DESIGN §3), so the hash covers everything that can change an
answer, including a clinic overlay, and nothing else (no file name, no time).
"""

from __future__ import annotations

import hashlib
import json

__all__ = ["VERSION_LENGTH", "content_version"]

VERSION_LENGTH = 16


def content_version(data: object) -> str:
    """The first 16 hex digits of the SHA-256 of ``data`` as canonical JSON."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:VERSION_LENGTH]
