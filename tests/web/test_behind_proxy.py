"""``aftercare serve`` behind a real reverse proxy process on loopback.

With AFTERCARE_PROXY_COUNT=1 and AFTERCARE_HTTPS=true, pages work (no redirect to https
for ever), and the limits count each real client, not the proxy: clients come from their
own loopback addresses (127.0.0.2, 127.0.0.3, …), which the proxy forwards.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aftercare.web import ratelimit
from tests.web.live import Server, free_port, served

PROXY = Path(__file__).with_name("proxy.py")


@dataclass
class Browser:
    """A client on its own loopback address, through the proxy, keeping its cookies."""

    address: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.address, 0)
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = "&".join(f"{k}={v}" for k, v in form.items())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read().decode()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return answer.status, dict(answer.getheaders()), text

    def post_form(self, path: str, form: dict[str, str]) -> int:
        _, _, page = self.request("GET", path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, page[:500]
        status, _, _ = self.request("POST", path, {"csrfmiddlewaretoken": found[1], **form})
        return status


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[int]:
    production = {"AFTERCARE_HTTPS": "true", "AFTERCARE_PROXY_COUNT": "1"}
    with served(tmp_path, env=production) as server:
        yield from _proxy_in_front(server)


def _proxy_in_front(server: Server) -> Iterator[int]:
    port = free_port()
    proxy = subprocess.Popen(
        [sys.executable, str(PROXY), str(port), str(server.port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proxy.stdout is not None and proxy.stdout.readline() == "proxying\n"
        yield port
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)


def test_pages_work_behind_a_tls_proxy(behind_proxy: int) -> None:
    browser = Browser("127.0.0.2", behind_proxy)
    status, headers, _ = browser.request("GET", "/clinic/")
    assert (status, headers["Location"]) == (302, "/login?next=/clinic/")
    status, headers, _ = browser.request("GET", "/login")
    assert status == 200
    assert "Strict-Transport-Security" in headers
    assert "Secure" in headers["Set-Cookie"]


def test_the_new_link_limit_counts_each_client_not_the_proxy(behind_proxy: int) -> None:
    first = Browser("127.0.0.2", behind_proxy)
    for n in range(ratelimit.PER_CLIENT):
        assert first.post_form("/p/new-link", {"contact": f"p{n}@example.org"}) == 200
    assert first.post_form("/p/new-link", {"contact": "another@example.org"}) == 429
    second = Browser("127.0.0.3", behind_proxy)
    assert second.post_form("/p/new-link", {"contact": "another@example.org"}) == 200
