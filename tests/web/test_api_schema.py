"""Schemathesis against the API's own OpenAPI document, over HTTP to the whole Django stack.

Two clinics, alpha and beta, each with a read-write key, patients, screenings, treatments,
check-ins, reminders and a patient signed in to the portal, all made through the API
before the run. Schemathesis then runs every phase of its engine (coverage, fuzzing with
at least 100 requests an operation, stateful) against pytest-django's live server on the
test database, as alpha; beta is alpha's peer for the object-level authorisation check,
which replays alpha's reads of its own records with beta's key and patient session and
fails if beta gets them. Ids in paths come from the answers to earlier requests, so they
name real records. The run must find no server error, no answer its schema does not
describe, and no record of one clinic given to the other.

Over HTTP rather than through Schemathesis's WSGI transport: in 4.32 that transport passes
``max_redirects`` on to werkzeug for the checks' own requests (ignored_auth, the peer's
replays), which fail with a TypeError. One worker: with more, the engine's threads on
CPython 3.11 now and then fail with "AST constructor recursion depth mismatch".
"""

from __future__ import annotations

import gc
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer
from schemathesis.engine import events
from schemathesis.engine.core import Engine
from schemathesis.engine.recorder import ScenarioRecorder

from aftercare.protocols.load import load_protocol
from aftercare.web.clinic.models import Clinic, Patient, PatientLink, Reminder
from tests.screening_answers import NOTHING_FOUND
from tests.web.conftest import NOW, key_client, make_clinic, make_key

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 100
# positive_data_acceptance is left out: which activity, symptom or question ids exist, and
# which emails and phone numbers are real, is protocol data and form validation that the
# schema does not spell out, so a schema-valid request is often rightly refused (422).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "object_level_authorization",
)
# It takes no input at all: there are not 100 different requests to make of it.
NO_INPUT = "GET /api/v1/protocol"
# Reads of one record by its id. The object-level check replays a read as the peer only
# when the answer holds the id it was asked for, so not a plan or a file.
RECORDS = (
    "GET /api/v1/patients/{pk}",
    "GET /api/v1/treatments/{pk}",
    "GET /api/v1/alerts/{pk}",
    "GET /api/v1/me/check-ins/{pk}",
)


@dataclass(frozen=True)
class Holdings:
    """A clinic's key, and the portal session of one of its patients."""

    name: str
    key: str
    session: str
    csrf: str


def _post(client: Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    created: dict[str, Any] = response.json()
    return created


def _holdings(clinic: Clinic) -> Holdings:
    """Three patients, each screened, treated (2 to 4 days ago, which schedules their
    reminders) and checked in twice: once as expected, once with a fever (an alert)."""
    key = make_key(clinic)
    client = key_client(key)
    patients = []
    for n, family_name in enumerate(("Hughes", "Okafor", "Patel")):
        patient = _post(
            client,
            "/api/v1/patients",
            {
                "given_name": "Grace",
                "family_name": family_name,
                "email": f"grace.{n}@{clinic.slug}.example",
                "preferred_channel": "email",
                "consent_to_messages": True,
            },
        )
        patients.append(patient["id"])
        url = f"/api/v1/patients/{patient['id']}"
        _post(client, f"{url}/screenings", {"answers": NOTHING_FOUND})
        treated_at = (NOW - timedelta(days=2 + n)).isoformat()
        reason = "Screened on paper at the clinic before the system was used."
        treatment = _post(
            client, f"{url}/treatments", {"treated_at": treated_at, "override_reason": reason}
        )
        for symptom, trend in (("redness", "improving"), ("fever", "worsening")):
            body = {"symptoms": [symptom], "trend": trend}
            _post(client, f"/api/v1/treatments/{treatment['id']}/check-ins", body)
    assert Reminder.objects.filter(patient__clinic=clinic).exists()
    session, csrf = _portal_session(Patient.objects.get(pk=patients[0]))
    return Holdings(clinic.slug, key, session, csrf)


def _portal_session(patient: Patient) -> tuple[str, str]:
    """The session cookie a patient's browser holds after opening a link, and a CSRF token."""
    _, token = PatientLink.issue(patient, NOW)
    browser = Client()
    response = browser.post(reverse("portal:open"), {"t": token})
    assert response.status_code == 302, response.content
    return browser.cookies[settings.SESSION_COOKIE_NAME].value, secrets.token_hex(16)


def _user(holdings: Holdings) -> dict[str, Any]:
    """A Web Fuzzing Commons user: the clinic's key, and its patient's portal session."""
    cookie = f"{settings.SESSION_COOKIE_NAME}={holdings.session}; csrftoken={holdings.csrf}"
    return {
        "name": holdings.name,
        "fixedHeaders": [
            {"name": "Authorization", "value": f"Bearer {holdings.key}"},
            {"name": "Cookie", "value": cookie},
            {"name": "X-CSRFToken", "value": holdings.csrf},
        ],
    }


def _vocabulary() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The protocol's words (symptoms, activities, areas) for the strings that take them,
    most of the time: random text alone is almost always refused, so the answers to the
    requests that succeed would go unchecked."""
    protocol = load_protocol()
    dictionaries = {
        "symptoms": {"values": [s.id for s in protocol.symptoms]},
        "activities": {"values": [a.id for a in protocol.activities]},
        "areas": {"values": [a.id for a in protocol.areas]},
        "zones": {"values": ["Europe/London", "Europe/Dublin", "America/New_York"]},
    }
    uses = {
        "POST /api/v1/triage": {
            "body.symptoms[*].symptom": "symptoms",
            "body.factors.areas[*]": "areas",
        },
        "POST /api/v1/treatments/{pk}/check-ins": {"body.symptoms[*]": "symptoms"},
        "POST /api/v1/me/check-ins": {"body.symptoms[*]": "symptoms"},
        "GET /api/v1/check": {"query.activity": "activities"},
        "GET /api/v1/treatments/{pk}/can-i": {"query.activity": "activities"},
        "GET /api/v1/me/can-i": {"query.activity": "activities"},
        "POST /api/v1/patients/{pk}/treatments": {
            "body.areas[*]": "areas",
            "body.time_zone": "zones",
        },
    }
    operations = [
        {
            "include-name": label,
            "parameters": {
                key: {"dictionary": name, "probability": 0.8} for key, name in keys.items()
            },
        }
        for label, keys in uses.items()
    ]
    return dictionaries, operations


def _config(base_url: str, users: Path, owner: Holdings, peer: Holdings) -> dict[str, Any]:
    dictionaries, operations = _vocabulary()
    return {
        "seed": 7,
        "base-url": base_url,
        "workers": 1,
        "request-timeout": 60,
        "cache": {"enabled": False},
        "generation": {"max-examples": EXAMPLES, "mode": "all", "database": "none"},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "auth": {"wfc": {"path": str(users), "user": owner.name, "peers": [owner.name, peer.name]}},
        "dictionaries": dictionaries,
        "operations": operations,
    }


@dataclass
class Summary:
    """Per operation label: requests generated, answers in 2xx, and the checks' own
    requests (the peer's replays among them)."""

    cases: Counter[str] = field(default_factory=Counter)
    by_phase: Counter[str] = field(default_factory=Counter)
    successes: Counter[str] = field(default_factory=Counter)
    probes: Counter[str] = field(default_factory=Counter)
    peer_replays: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, phase: str, recorder: ScenarioRecorder, peer: str) -> None:
        for case_id, node in recorder.cases.items():
            label = node.value.operation.label
            if node.value.auth_identity == peer:
                self.peer_replays[label] += 1
            # A check's request is recorded under the one it checks; a stateful step under
            # the step before, as it should be counted.
            if node.parent_id is not None and phase != "stateful":
                self.probes[label] += 1
                continue
            self.cases[label] += 1
            self.by_phase[phase] += 1
            interaction = recorder.interactions.get(case_id)
            if interaction and interaction.response and interaction.response.status_code < 300:
                self.successes[label] += 1
        for checks in recorder.checks.values():
            for check in checks:
                if check.failure_info is not None:
                    failure = check.failure_info.failure
                    self.failures.append(
                        f"{recorder.label}: {check.name}: {failure.title}\n{failure.message}\n"
                        f"{check.failure_info.code_sample}"
                    )


def run(document: dict[str, Any], config: dict[str, Any], peer: str) -> Summary:
    """Every phase of Schemathesis's engine on ``document`` as ``config`` says."""
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict(config))
    summary = Summary()
    started = time.monotonic()
    for event in Engine(schema=schema).execute():
        if isinstance(event, events.ScenarioFinished):
            summary.add(event.phase.value, event.recorder, peer)
        elif isinstance(event, events.PhaseStarted):
            started = time.monotonic()
        elif isinstance(event, events.PhaseFinished):
            summary.seconds[event.phase.name.value] = round(time.monotonic() - started, 1)
        elif isinstance(event, events.NonFatalError):
            summary.errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    return summary


def _let_the_server_threads_end() -> None:
    """Close the engine's idle keep-alive connections, so that the live server's threads
    end and close their database connections: PostgreSQL will not drop the test database
    while one is open."""
    gc.collect()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=10)


def _table(summary: Summary) -> str:
    lines = [f"{'operation':<42} {'generated':>9} {'2xx':>5} {'checks':>6} {'as peer':>7}"]
    lines += [
        f"{label:<42} {count:>9} {summary.successes[label]:>5} {summary.probes[label]:>6} "
        f"{summary.peer_replays[label]:>7}"
        for label, count in sorted(summary.cases.items())
    ]
    phases = ", ".join(f"{name} {n}" for name, n in summary.by_phase.items())
    return "\n".join([*lines, f"requests by phase: {phases}", f"seconds: {summary.seconds}"])


def test_every_operation_keeps_to_its_schema(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, live_server: LiveServer, client: Client
) -> None:
    monkeypatch.setattr("aftercare.web.clock.now", lambda: NOW)
    # The live server serves each client connection in a thread of its own, and closes the
    # thread's database connection when it ends: keep it open for the requests between.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    # It writes a response's headers and body apart; with Nagle's algorithm on, the body
    # waits for the client's delayed ACK, 40 ms a request.
    monkeypatch.setattr(WSGIRequestHandler, "disable_nagle_algorithm", True)
    alpha, beta = (_holdings(make_clinic(slug)) for slug in ("alpha", "beta"))
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"auth": [_user(alpha), _user(beta)]}))
    document = client.get("/api/openapi.json").json()

    config = _config(live_server.url, users, alpha, beta)
    summary = run(document, config, beta.name)
    _let_the_server_threads_end()
    print(_table(summary))

    assert summary.errors == []
    assert summary.failures == [], "\n\n".join(summary.failures)
    labels = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert set(summary.cases) == labels
    few = {label: n for label, n in summary.cases.items() if n < EXAMPLES and label != NO_INPUT}
    assert few == {}
    # The ids found real records, and beta was refused alpha's: the check fails the run
    # if beta gets one, so here it is enough that beta asked. Which records beta's replays
    # reach is the engine's random choice (one route can go without, in a long suite);
    # every record route refusing another clinic's key, without chance, is
    # test_access_matrix.py's.
    assert [label for label in RECORDS if not summary.successes[label]] == []
    assert sum(summary.peer_replays[label] for label in RECORDS) > 0
