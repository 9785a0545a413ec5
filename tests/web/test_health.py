from __future__ import annotations

import json
import runpy
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from pytest_django.fixtures import Settings

from aftercare.web import config

pytestmark = pytest.mark.django_db


def test_it_reports_the_database_is_up(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


def test_it_answers_head(client: Client) -> None:
    assert client.head("/healthz").status_code == 200


def test_it_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


def test_it_is_never_cached(client: Client) -> None:
    assert "no-store" in client.get("/healthz")["Cache-Control"]


def test_it_answers_probes_over_plain_http_while_other_urls_redirect(
    client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With HTTPS on (production), a load balancer still probes over plain HTTP.
    monkeypatch.setenv("AFTERCARE_HTTPS", "true")
    production = runpy.run_path(str(Path(config.__file__).parent / "settings.py"))
    settings.SECURE_SSL_REDIRECT = production["SECURE_SSL_REDIRECT"]
    settings.SECURE_REDIRECT_EXEMPT = production["SECURE_REDIRECT_EXEMPT"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/anything-else").status_code == 301


def test_it_reports_503_without_the_reason_when_the_database_fails(client: Client) -> None:
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError("could not connect to 10.0.0.5: secret")
    with mock.patch("aftercare.web.health.connection", broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "unavailable"}
    assert b"secret" not in response.content
    assert b"10.0.0.5" not in response.content
