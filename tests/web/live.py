"""Run ``aftercare serve`` as a real process for end-to-end tests, and drive it from Debian's
chromium for the browser tests: a launched browser, the pages each walk visits (checked by
axe-core, saved as screenshots), and the steps every walk takes (sign in, open a link on a
phone). Playwright is imported only when a browser is launched, so the tests of the server
alone need no browser."""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Response

STARTUP_SECONDS = 60

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# Chromium as root in a sandbox, on a closed network: no background fetches.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEMO_ZONE = ZoneInfo("Europe/London")
# A walk's treatment ended this long before the walk, so the patient is on day 1 of the
# plan whenever the test runs: some things allowed again, most not yet.
TREATED_BEFORE = timedelta(hours=30)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AFTERCARE_", "DJANGO_"))}
    # Always SQLite in its own data directory: never the developer's PostgreSQL database.
    env.pop("DATABASE_URL", None)
    env["AFTERCARE_DATA_DIR"] = str(data_dir)
    return env


def aftercare_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "aftercare"), *args]


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)
    pending: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def wait_for(self, text: str, seconds: float = STARTUP_SECONDS) -> bool:
        """Read the server's output until ``text`` appears; False if it never does."""
        deadline = time.monotonic() + seconds
        while text not in self.output:
            try:
                line = self.pending.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                return False
            if line is None:
                return False
            self.lines.append(line)
        return True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def value(self, label: str) -> str:
        """The value printed after ``label:`` (the demo login)."""
        for line in self.lines:
            if line.strip().startswith(f"{label}:"):
                return line.split(":", 1)[1].strip()
        raise AssertionError(f"no {label!r} in the output:\n{self.output}")


@contextmanager
def served(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``aftercare serve ARGS`` on a free port, until it says it is serving; ``env`` adds
    to the environment."""
    port = free_port()
    process = subprocess.Popen(
        aftercare_command("serve", "--port", str(port), *args),
        env=environment(data_dir) | (env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process, port)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.pending.put(line)
        server.pending.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        if not server.wait_for("Serving on"):
            raise AssertionError(f"the server did not start:\n{server.output}")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        while not server.pending.empty():
            line = server.pending.get()
            if line is not None:
                server.lines.append(line)


@contextmanager
def served_demo(data_dir: Path) -> Iterator[Server]:
    """``aftercare serve --demo``, with the demo clinic's quiet hours turned off.

    The demo clinic keeps the default quiet hours (21:00 to 08:00 on the patient's clock),
    which hold the welcome message until the morning: run in the evening, a walk would wait
    for it in vain.
    """
    with served(data_dir, "--demo") as server:
        with closing(sqlite3.connect(data_dir / "aftercare.sqlite3")) as database, database:
            database.execute("UPDATE clinic_clinic SET quiet_hours_start = quiet_hours_end")
        yield server


def need_chromium() -> None:
    """Skip the calling test module without Debian's chromium, except in CI, where a missing
    browser fails. Call it at module level, before importing Playwright."""
    import pytest

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Debian's chromium at {CHROMIUM}", pytrace=False)
        pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@contextmanager
def launched_browser() -> Iterator[Browser]:
    """Debian's chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visits:
    """Every page the walk visits: checked by axe, then saved as a screenshot; every
    document it loads carries the security headers, and nothing breaks the policy."""

    def __init__(self) -> None:
        self.count = 0
        self.problems: list[str] = []
        self.documents = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def watch(self, page: Page) -> Page:
        page.on("response", self._headers)
        page.on("console", self._console)
        return page

    def _headers(self, response: Response) -> None:
        if response.request.resource_type != "document" or response.status >= 300:
            return
        self.documents += 1
        policy = response.headers.get("content-security-policy", "")
        if "script-src 'self'" not in policy or "unsafe-inline" in policy:
            self.problems.append(f"{response.url}: Content-Security-Policy {policy!r}")
        if "camera=()" not in response.headers.get("permissions-policy", ""):
            self.problems.append(f"{response.url}: no Permissions-Policy")

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            self.problems.append(f"console: {message.text}")

    def check(self, page: Page, name: str) -> None:
        page.wait_for_load_state("load")
        self.count += 1
        page.screenshot(path=SCREENSHOTS / f"{self.count:02d}-{name}.png", full_page=True)
        # Evaluated through the driver rather than added as a <script>: the pages' own
        # Content-Security-Policy rightly refuses inline scripts.
        page.evaluate(_axe_source())
        violations = page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.map(n => n.target.join(' ')).slice(0, 3)
                }));
            }""",
            AXE_TAGS,
        )
        for violation in violations:
            if violation["impact"] in {"serious", "critical"}:
                self.problems.append(f"{name} ({page.url}): {violation}")


def _axe_source() -> str:
    return AXE.read_text() + "\n;void 0;"


def staff_page(browser: Browser, visits: Visits) -> Page:
    """A desktop page for staff, watched by ``visits``."""
    page = visits.watch(browser.new_page(viewport=DESKTOP))
    page.set_default_timeout(15_000)
    return page


def phone_page(browser: Browser, visits: Visits) -> Page:
    """A page on a phone-sized screen for the patient, watched by ``visits``."""
    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    page = visits.watch(phone.new_page())
    page.set_default_timeout(15_000)
    return page


def sign_in(page: Page, server: Server, who: str = "") -> None:
    """Sign in on the login page with the demo's printed login (``who`` "admin " for the
    administrator's); the page is left wherever signing in leads."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill(server.value(f"{who}username"))
    page.get_by_label("Password").fill(server.value(f"{who}password"))
    page.get_by_role("button", name="Sign in").click()


def create_link(staff: Page, patient_name: str, visits: Visits | None = None) -> str:
    """From anywhere, the patient's page, then a new link to their portal: its address.
    With ``visits``, the link's form is checked as a page of the walk."""
    staff.get_by_role("link", name=patient_name).first.click()
    staff.get_by_role("link", name=re.compile("link", re.I)).last.click()
    if visits is not None:
        visits.check(staff, "link-form")
    staff.get_by_role("button", name=re.compile("create", re.I)).click()
    link = staff.locator("a[href*='/p/open?t=']").first.get_attribute("href")
    assert link is not None
    return link
