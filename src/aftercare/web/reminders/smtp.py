"""Django's SMTP backend, with every socket it opens watched until a total deadline.

Django's ``EMAIL_TIMEOUT`` bounds each read, not the exchange: a mail server that answers
one line every few seconds never trips it, and would hold a message past the worker's
lease. Each socket is handed to a ``Watchdog`` the moment it is connected, before the
server's greeting, so the greeting, STARTTLS, the login, the message and QUIT all share
one deadline. The watchdog gets a duplicate of the plain socket: TLS takes over the
original, and shutting down the duplicate still cuts the one connection they share.
"""

from __future__ import annotations

import smtplib
import socket
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.mail.backends.smtp import EmailBackend

__all__ = ["DeadlineEmailBackend"]

Watch = Callable[[socket.socket], None]
# Who watches the socket being opened: smtplib connects inside its constructor, before an
# attribute could be set on the new instance.
_WATCH: ContextVar[Watch] = ContextVar("smtp_watch")


class _WatchedSMTP(smtplib.SMTP):
    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        plain: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        _WATCH.get()(plain)
        return plain


# SMTP_SSL wraps what SMTP._get_socket returns: with _WatchedSMTP between the two, the
# plain socket is watched before the TLS handshake.
class _WatchedSMTPSSL(smtplib.SMTP_SSL, _WatchedSMTP):
    pass


class DeadlineEmailBackend(EmailBackend):
    """The SMTP backend as configured, whose connections call ``watch`` with each socket
    they open; no single read waits beyond the deadline either."""

    def __init__(self, watch: Watch, until: float) -> None:
        super().__init__(fail_silently=False)
        self._watch = watch
        left = max(0.1, until - time.monotonic())
        # smtplib takes any number of seconds; the stubs say whole ones, as the setting.
        self.timeout = left if self.timeout is None else min(self.timeout, left)  # type: ignore[assignment]

    @property
    def connection_class(self) -> Callable[..., smtplib.SMTP]:
        return self._connect

    def _connect(self, host: str, port: int, **params: Any) -> smtplib.SMTP:
        watching = _WATCH.set(self._watch)
        try:
            return (_WatchedSMTPSSL if self.use_ssl else _WatchedSMTP)(host, port, **params)
        finally:
            _WATCH.reset(watching)
