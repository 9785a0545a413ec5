"""The packaged protocols, found by their files: one procedure is one YAML file.

A protocol's id is its file's name without ``.yaml`` (``chemical-peel.yaml`` holds the
protocol ``chemical-peel``), so a command finds the file for ``--protocol ID`` without
parsing any YAML; the loader then checks that the file's own ``id`` agrees. Adding a
procedure is adding a file here, or to the directory ``AFTERCARE_PROTOCOLS_DIR`` names for
a clinic's own procedures: no code names the protocols.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from aftercare.protocols.load import DEFAULT_PROTOCOL, ProtocolError, ProtocolIssue, load_protocol
from aftercare.protocols.schema import Protocol

__all__ = [
    "EXTRA_DIRECTORY_SETTING",
    "PACKAGED_DIRECTORY",
    "ProtocolRegistry",
    "UnknownProtocolError",
    "installed_protocols",
    "packaged_protocols",
]

PACKAGED_DIRECTORY = Path(str(resources.files("aftercare.protocols")))
# The environment variable naming a directory of a clinic's own protocol files.
EXTRA_DIRECTORY_SETTING = "AFTERCARE_PROTOCOLS_DIR"
SUFFIX = ".yaml"


class UnknownProtocolError(LookupError):
    """An id that names no protocol file; the message lists the ones there are."""


@dataclass(frozen=True, slots=True)
class ProtocolRegistry:
    """The protocol files in ``directories``, by id; a later directory cannot hide an
    earlier one's protocol (an id is defined once)."""

    directories: tuple[Path, ...] = (PACKAGED_DIRECTORY,)

    @property
    def paths(self) -> dict[str, Path]:
        """Each protocol id with its file, in id order."""
        found: dict[str, Path] = {}
        for directory in self.directories:
            for path in sorted(directory.glob(f"*{SUFFIX}")):
                found.setdefault(path.name.removesuffix(SUFFIX), path)
        return dict(sorted(found.items()))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.paths)

    def path(self, protocol_id: str = DEFAULT_PROTOCOL) -> Path:
        """The file of the protocol ``protocol_id``."""
        paths = self.paths
        if protocol_id not in paths:
            known = ", ".join(paths) or "none"
            raise UnknownProtocolError(f"unknown protocol '{protocol_id}'; there are: {known}")
        return paths[protocol_id]

    def load(self, protocol_id: str = DEFAULT_PROTOCOL, overlay: Path | None = None) -> Protocol:
        """The protocol ``protocol_id``, checked (and cached) like any protocol file."""
        path = self.path(protocol_id)
        protocol = load_protocol(path, overlay)
        if protocol.id != protocol_id:
            issue = f"the file holds protocol '{protocol.id}', but its name says '{protocol_id}'"
            raise ProtocolError(str(path), [ProtocolIssue("id", issue)])
        return protocol

    def load_all(self) -> Iterable[Protocol]:
        return (self.load(protocol_id) for protocol_id in self.paths)


def packaged_protocols() -> ProtocolRegistry:
    """The protocols that come with Aftercare."""
    return ProtocolRegistry()


def installed_protocols() -> ProtocolRegistry:
    """The protocols that come with Aftercare, then those in ``AFTERCARE_PROTOCOLS_DIR``
    when it is set (a packaged protocol's id cannot be taken there); ProtocolError when it
    names no directory, rather than serving without the procedures it should hold."""
    extra = os.environ.get(EXTRA_DIRECTORY_SETTING, "").strip()
    if not extra:
        return ProtocolRegistry()
    directory = Path(extra).expanduser()
    if not directory.is_dir():
        issue = f"{EXTRA_DIRECTORY_SETTING} names no directory"
        raise ProtocolError(extra, [ProtocolIssue("", issue)])
    return ProtocolRegistry((PACKAGED_DIRECTORY, directory))
