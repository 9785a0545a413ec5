"""Values kept per process by key, the least recently used dropped first past a limit.

For what is frozen once made and read many times (a treatment's plan, its API answer):
the key names everything the value is made from, so a changed input is a new key and
nothing kept is ever stale. Thread-safe; a value is made outside the lock, so two threads
may both make one, and the later simply replaces the earlier.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

__all__ = ["Kept"]

V = TypeVar("V")


class Kept(Generic[V]):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept under ``key``, or the one ``make`` makes, kept from now on."""
        with self._lock:
            kept = self._values.get(key)
            if kept is not None:
                self._values.move_to_end(key)
                return kept
        made = make()
        with self._lock:
            self._values[key] = made
            while len(self._values) > self.limit:
                self._values.popitem(last=False)
        return made

    def __iter__(self) -> Iterator[Hashable]:
        """The keys, least recently used first."""
        with self._lock:
            return iter(list(self._values))

    def __len__(self) -> int:
        return len(self._values)
