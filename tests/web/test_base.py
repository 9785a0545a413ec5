"""The web app's base: sign-in and its throttling, request ids, caching and logging rules."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from aftercare.web.addresses import client_address
from aftercare.web.clinic.models import ActorKind, AuditEvent, Outcome, StaffMember
from aftercare.web.middleware import StripQueryFilter

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def login(practitioner: StaffMember) -> str:
    practitioner.user.set_password(PASSWORD)
    practitioner.user.save()
    return practitioner.user.username


def test_home_sends_visitors_to_sign_in_and_staff_to_the_dashboard(
    client: Client, practitioner: StaffMember
) -> None:
    assert client.get("/")["Location"] == "/login"
    client.force_login(practitioner.user)
    assert client.get("/")["Location"] == "/clinic/"


def test_staff_sign_in_and_out(client: Client, login: str) -> None:
    page = client.get("/login")
    assert b'<label for="id_username">' in page.content
    response = client.post("/login", {"username": login, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/clinic/"
    assert client.post("/logout").status_code == 302
    assert client.get("/clinic/")["Location"].startswith("/login?next=")


def test_a_wrong_password_shows_the_form_again(client: Client, login: str) -> None:
    response = client.post("/login", {"username": login, "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_sign_in_locks_after_five_failures_even_with_the_right_password(
    client: Client, login: str
) -> None:
    for _ in range(5):
        client.post("/login", {"username": login, "password": "wrong"})
    locked = client.post("/login", {"username": login, "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_failures_for_one_account_from_many_addresses_lock_it(client: Client, login: str) -> None:
    for n in range(5):
        client.post("/login", {"username": login, "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{n}")
    locked = client.post(
        "/login", {"username": login, "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_password_against_many_accounts_locks_the_address(client: Client, login: str) -> None:
    for n in range(5):
        client.post("/login", {"username": f"guess{n}", "password": PASSWORD})
    locked = client.post("/login", {"username": login, "password": PASSWORD})
    assert locked.status_code == 429
    elsewhere = Client().post(
        "/login", {"username": login, "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert elsewhere.status_code == 302


def test_deactivated_staff_are_signed_out(client: Client, practitioner: StaffMember) -> None:
    client.force_login(practitioner.user)
    User.objects.filter(pk=practitioner.user.pk).update(is_active=False)
    assert client.get("/clinic/")["Location"].startswith("/login")


def test_a_login_without_a_clinic_is_refused(client: Client) -> None:
    client.force_login(User.objects.create_user("no-clinic"))
    response = client.get("/clinic/")
    assert response.status_code == 403
    assert b"can't open this page" in response.content


def test_a_practitioner_is_refused_admin_pages_and_the_refusal_is_audited(
    client: Client, practitioner: StaffMember
) -> None:
    client.force_login(practitioner.user)
    assert client.get("/clinic/settings").status_code == 403
    event = AuditEvent.objects.get(action="admin.denied")
    assert (event.actor_kind, event.actor_staff_id) == (ActorKind.STAFF, practitioner.pk)
    assert event.outcome == Outcome.DENIED
    assert event.object_id == "clinic_settings"
    assert len(event.request_id) == 32


def test_every_response_has_a_request_id(client: Client) -> None:
    first, second = client.get("/login"), client.get("/login")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_pages_are_never_cached_and_send_no_referrer(client: Client) -> None:
    response = client.get("/login")
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Frame-Options"] == "DENY"


def test_static_files_are_served_and_may_be_cached(client: Client) -> None:
    response = client.get("/static/aftercare/aftercare.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_missing_page_is_a_plain_404(client: Client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_a_form_without_its_csrf_token_is_refused_politely(login: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login", {"username": login, "password": PASSWORD})
    assert response.status_code == 403
    assert b"nothing was saved" in response.content


def test_log_lines_lose_their_query_strings() -> None:
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/p/open?t=SECRET",), None
    )
    assert StripQueryFilter().filter(record)
    assert record.getMessage() == "Not Found: /p/open?…"


def _csrf_client() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.get("/login")
    return client, client.cookies["csrftoken"].value


@pytest.mark.parametrize(
    ("fetch_site", "with_token", "accepted"),
    [
        ("same-origin", True, True),
        ("same-site", True, False),
        ("cross-site", True, False),
        (None, True, False),
        ("same-origin", False, False),
    ],
)
def test_a_no_referrer_form_post_is_accepted_only_from_this_origin_with_its_token(
    login: str, fetch_site: str | None, with_token: bool, accepted: bool
) -> None:
    # Under Referrer-Policy: no-referrer, browsers post with Origin: null.
    client, token = _csrf_client()
    headers = {"Origin": "null"} | ({"Sec-Fetch-Site": fetch_site} if fetch_site else {})
    data = {"username": login, "password": PASSWORD}
    if with_token:
        data["csrfmiddlewaretoken"] = token
    response = client.post("/login", data, headers=headers)
    assert (response.status_code == 302) is accepted
    assert (response.status_code == 403) is not accepted


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),
    ],
)
def test_the_client_address_is_what_the_outermost_trusted_proxy_saw(
    settings: Settings, proxies: int, forwarded: str, address: str
) -> None:
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == address


def test_sign_in_throttling_counts_the_client_not_the_proxy(
    client: Client, login: str, settings: Settings
) -> None:
    settings.PROXY_COUNT = 1
    # Five clients behind one proxy, each failing once: were the proxy counted, its
    # address would now be locked for everyone.
    for n in range(5):
        client.post(
            "/login",
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    other = client.post(
        "/login",
        {"username": login, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.200",
    )
    assert other.status_code == 302


@pytest.mark.parametrize("path", ["/login", "/clinic/", "/p/signed-out", "/healthz", "/nowhere"])
def test_every_page_has_a_content_security_policy_without_inline_code(
    client: Client, practitioner: StaffMember, path: str
) -> None:
    client.force_login(practitioner.user)
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["Permissions-Policy"] == (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    )


def test_no_page_template_carries_inline_style_or_script() -> None:
    package = Path(__file__).parents[2] / "src" / "aftercare"
    templates = package / "web" / "templates"
    # Emails are not pages: mail programs read only the styles written inline. Nor are the
    # leaflets, which only WeasyPrint reads, to make a PDF: the words of their page numbers
    # (the phrase table's) can only reach the page's margin as a style of their own.
    emails = templates / "aftercare" / "messages"
    leaflets = package / "exports" / "templates" / "aftercare" / "leaflet"
    # The plan's template is the exports', shared with the staff pages.
    pages = [*templates.rglob("*.html"), *(package / "exports" / "templates").rglob("*.html")]
    for template in pages:
        if template.is_relative_to(emails) or template.is_relative_to(leaflets):
            continue
        source = template.read_text()
        assert " style=" not in source, template
        assert "<style" not in source, template
        assert re.search(r"<script(?![^>]*\bsrc=)", source) is None, template
        assert re.search(r" on[a-z]+=", source) is None, template
