"""A total deadline for one exchange on a socket, and a way to cut it short from outside.

A socket's timeout bounds each read, not the exchange: a provider that drips one header
line every few seconds never trips it, and would hold a message past the worker's lease
(when another worker may claim and send it again). One watchdog thread per transport
shuts the socket down when the deadline passes, or soon after the worker is asked to
stop; the blocked read then returns, and the transport reports why.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

__all__ = ["Watchdog"]

IDLE_SECONDS = 60.0


class Watchdog:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._sock: socket.socket | None = None
        self._until = 0.0
        self._why = ""
        self._reason = "deadline"
        self._thread: threading.Thread | None = None

    def arm(self, sock: socket.socket, until: float) -> None:
        """Watch ``sock`` until the monotonic moment ``until``."""
        with self._changed:
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="send-deadline")
                self._thread.daemon = True
                self._thread.start()
            self._sock, self._until, self._why = sock, until, ""
            self._reason = "deadline"
            self._changed.notify()

    def disarm(self) -> str:
        """Stop watching; why the socket was cut ("" when it was not)."""
        with self._changed:
            self._sock = None
            why, self._why = self._why, ""
            return why

    @property
    def why(self) -> str:
        """Why the watched exchange was cut, so far ("" when it was not)."""
        return self._why

    def cut_by(self, until: float, why: str) -> None:
        """Cut the watched exchange by ``until`` at the latest, for ``why``."""
        with self._changed:
            if self._sock is not None and until < self._until:
                self._until, self._reason = until, why
                self._changed.notify()

    def _cut(self, why: str) -> None:
        if self._sock is not None:
            # The reason first: the sending thread wakes the moment the socket shuts, and
            # must find why, or it reports a cut exchange as the peer closing.
            sock, self._sock, self._why = self._sock, None, why
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _watch(self) -> None:
        with self._changed:
            while True:
                if self._sock is None:
                    # Idle for a while (a transport made for one message, then dropped):
                    # end, and let the next ``arm`` start another.
                    if not self._changed.wait(IDLE_SECONDS) and self._sock is None:
                        self._thread = None
                        return
                    continue
                left = self._until - time.monotonic()
                if left <= 0:
                    self._cut(self._reason)
                else:
                    self._changed.wait(left)
