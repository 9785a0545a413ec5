"""A mail server on loopback for the tests: it speaks enough SMTP for Django's backend and
answers at once, except where it is told to drip: then it sends one more continuation
line of the same reply every ``every`` seconds, for ever, so no single read waits long
enough to time out."""

from __future__ import annotations

import io
import socket
import threading
import time
from typing import Literal

__all__ = ["MailServer"]

DripAt = Literal["greeting", "recipient", "nowhere"]


class MailServer:
    def __init__(
        self, drip_at: DripAt = "nowhere", slow: str = "slow@example.org", every: float = 1.0
    ) -> None:
        self.drip_at, self.slow, self.every = drip_at, slow, every
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        # Each accepted message: its recipients and its data.
        self.delivered: list[tuple[list[str], bytes]] = []
        # How long each dripping connection lasted, from its first line to the cut.
        self.held: list[float] = []
        self.dripping = threading.Event()
        self._greeted_slowly = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def longest_hold(self, seconds: float = 5.0) -> float:
        """How long the longest dripping connection lasted, once one has been cut (the
        server notices at its next line)."""
        deadline = time.monotonic() + seconds
        while not self.held and time.monotonic() < deadline:
            time.sleep(0.05)
        return max(self.held)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client, client.makefile("rb") as lines:
            try:
                if self.drip_at == "greeting" and not self._greeted_slowly:
                    self._greeted_slowly = True
                    self._drip(client, 220)
                client.sendall(b"220 mail.test ESMTP\r\n")
                self._converse(client, lines)
            except OSError:
                pass

    def _converse(self, client: socket.socket, lines: io.BufferedReader) -> None:
        recipients: list[str] = []
        for line in lines:
            verb, _, rest = line.decode().strip().partition(" ")
            verb = verb.upper()
            if verb == "RCPT":
                address = rest.partition("<")[2].partition(">")[0]
                if self.drip_at == "recipient" and address == self.slow:
                    self._drip(client, 250)
                recipients.append(address)
            elif verb == "DATA":
                client.sendall(b"354 go ahead\r\n")
                self.delivered.append((recipients, _data(lines)))
                recipients = []
            elif verb == "QUIT":
                client.sendall(b"221 bye\r\n")
                return
            client.sendall(b"250 mail.test\r\n" if verb != "DATA" else b"250 queued\r\n")

    def _drip(self, client: socket.socket, code: int) -> None:
        """One line of the reply every ``every`` seconds until the client cuts it off."""
        self.dripping.set()
        start = time.monotonic()
        try:
            for n in range(600):
                client.sendall(f"{code}-still here {n}\r\n".encode())
                time.sleep(self.every)
        finally:
            self.held.append(time.monotonic() - start)


def _data(lines: io.BufferedReader) -> bytes:
    """The message, up to the line holding only a dot."""
    data = b""
    while (line := lines.readline()) not in {b".\r\n", b""}:
        data += line
    return data
