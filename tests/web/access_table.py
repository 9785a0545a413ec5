"""The access table: each URL pattern's kind, and what each persona gets for each kind.

This is the decision the access test (test_access_matrix.py) checks every URL against: a
new page or API route cannot ship without a row here. The personas are people in browsers
and clinic systems holding API keys.
"""

from __future__ import annotations

from enum import Enum

from tests.web.conftest import NOW

__all__ = [
    "API_BODIES",
    "API_QUERIES",
    "API_RECORDS",
    "EXPECTED",
    "KEYS",
    "METHODS",
    "PERSONAS",
    "PROBLEM",
    "SECRETS",
    "SESSIONS",
    "SIGN_OUT",
    "STRANGERS",
    "TO_LOGIN",
    "TO_SIGNED_OUT",
    "URLS",
    "Kind",
]


class Kind(Enum):
    PUBLIC = "anyone"
    CLINIC = "staff of any clinic, about their own clinic"
    RECORD = "staff of the record's clinic"
    ADMIN = "clinic administrators"
    ADMIN_RECORD = "administrators of the record's clinic"
    PORTAL = "a signed-in patient, about themselves"
    PORTAL_RECORD = "the signed-in patient the record belongs to"
    BY_TOKEN = "anyone holding the signed link from a message"
    API_DOCUMENT = "anyone, with or without a key (the OpenAPI document)"
    API_DOCS = "signed-in staff (the API's interactive documentation)"
    API_NOWHERE = "nobody: the API's answer for an address it does not have"
    API_ENGINE = "anyone; a key, if one is sent, must be live"
    API_CLINIC = "a live key, about its own clinic"
    API_CLINIC_WRITE = "a live read-write key, about its own clinic"
    API_RECORD = "a live key of the record's clinic"
    API_RECORD_WRITE = "a live read-write key of the record's clinic"
    API_PORTAL = "the API for a signed-in patient, about themselves"
    API_PORTAL_RECORD = "the API for the signed-in patient the record belongs to"


URLS: dict[str, Kind] = {
    "home": Kind.PUBLIC,
    "healthz": Kind.PUBLIC,
    "login": Kind.PUBLIC,
    "logout": Kind.PUBLIC,
    "accounts:account": Kind.CLINIC,
    "accounts:password_change": Kind.CLINIC,
    "accounts:reset_request": Kind.PUBLIC,
    "accounts:reset_sent": Kind.PUBLIC,
    "accounts:reset_confirm": Kind.PUBLIC,
    "accounts:reset_complete": Kind.PUBLIC,
    "accounts:two_factor_verify": Kind.CLINIC,
    "accounts:two_factor_setup": Kind.CLINIC,
    "accounts:recovery_codes": Kind.CLINIC,
    "accounts:two_factor_off": Kind.CLINIC,
    "accounts:keep_alive": Kind.CLINIC,
    "staff:dashboard": Kind.CLINIC,
    "staff:patients": Kind.CLINIC,
    "staff:patient_new": Kind.CLINIC,
    "staff:patient": Kind.RECORD,
    "staff:patient_edit": Kind.RECORD,
    "staff:patient_erase": Kind.ADMIN_RECORD,
    "staff:patient_legal_hold": Kind.ADMIN_RECORD,
    "staff:patient_subject_access": Kind.RECORD,
    "staff:screening_new": Kind.RECORD,
    "staff:screening": Kind.RECORD,
    "staff:treatment_new": Kind.RECORD,
    "staff:treatment": Kind.RECORD,
    "staff:treatment_edit": Kind.RECORD,
    "staff:treatment_cancel": Kind.RECORD,
    "staff:reminder_cancel": Kind.RECORD,
    "staff:patient_link": Kind.RECORD,
    "staff:check_in": Kind.RECORD,
    "staff:question": Kind.RECORD,
    "staff:clinic_settings": Kind.ADMIN,
    "staff:protocol_rule": Kind.ADMIN,
    "staff:clinic_procedures": Kind.ADMIN,
    "staff:staff_list": Kind.ADMIN,
    "staff:staff_new": Kind.ADMIN,
    "staff:staff_edit": Kind.ADMIN_RECORD,
    "staff:audit": Kind.ADMIN,
    "staff:audit_csv": Kind.ADMIN,
    "staff:api_keys": Kind.ADMIN,
    "staff:api_key_new": Kind.ADMIN,
    "staff:api_key_revoke": Kind.ADMIN,
    "staff:treatment_leaflet": Kind.RECORD,
    "staff:patient_fhir": Kind.RECORD,
    "staff:clinic_leaflet": Kind.CLINIC,
    "portal:open": Kind.PUBLIC,
    "portal:new_link": Kind.PUBLIC,
    "portal:signed_out": Kind.PUBLIC,
    "portal:leave": Kind.PUBLIC,
    "portal:today": Kind.PORTAL,
    "portal:timeline": Kind.PORTAL,
    "portal:can_i": Kind.PORTAL,
    "portal:send_question": Kind.PORTAL,
    "portal:check_in": Kind.PORTAL,
    "portal:check_in_result": Kind.PORTAL_RECORD,
    "portal:course": Kind.PORTAL,
    "portal:leaflet": Kind.PORTAL,
    "portal:calendar": Kind.PORTAL,
    "portal:message_settings": Kind.PORTAL,
    "portal:stop": Kind.BY_TOKEN,
    # The clinic's look: a colour anyone may fetch, the manifest (the clinic's name only for
    # its signed-in patient) and the logo (only to its signed-in patients: test_portal_brand).
    "portal:accent": Kind.PUBLIC,
    "portal:manifest": Kind.PUBLIC,
    "portal:logo": Kind.PUBLIC,
    "api:openapi-json": Kind.API_DOCUMENT,
    "api:openapi-view": Kind.API_DOCS,
    "api:api-root": Kind.API_NOWHERE,
    "api:get_protocol": Kind.API_ENGINE,
    "api:get_check": Kind.API_ENGINE,
    "api:post_triage": Kind.API_ENGINE,
    "api:post_screen": Kind.API_ENGINE,
    "api:get_course_plan": Kind.API_ENGINE,
    "api:get_course_check": Kind.API_ENGINE,
    "api:get_maintenance": Kind.API_ENGINE,
    "api:list_patients": Kind.API_CLINIC,
    "api:create_patient": Kind.API_CLINIC_WRITE,
    "api:get_patient": Kind.API_RECORD,
    "api:update_patient": Kind.API_RECORD_WRITE,
    "api:list_screenings": Kind.API_RECORD,
    "api:create_screening": Kind.API_RECORD_WRITE,
    "api:list_treatments": Kind.API_RECORD,
    "api:create_treatment": Kind.API_RECORD_WRITE,
    "api:get_treatment": Kind.API_RECORD,
    "api:get_plan": Kind.API_RECORD,
    "api:can_i": Kind.API_RECORD,
    "api:ask_treatment": Kind.API_RECORD,
    "api:get_course": Kind.API_RECORD,
    "api:list_check_ins": Kind.API_RECORD,
    "api:create_check_in": Kind.API_RECORD_WRITE,
    "api:calendar": Kind.API_RECORD,
    "api:leaflet": Kind.API_RECORD,
    "api:patient_fhir": Kind.API_RECORD,
    "api:list_alerts": Kind.API_CLINIC,
    "api:get_alert": Kind.API_RECORD,
    "api:review_alert": Kind.API_RECORD_WRITE,
    "api:list_reminders": Kind.API_RECORD,
    "api:cancel_reminder": Kind.API_RECORD_WRITE,
    "api:my_plan": Kind.API_PORTAL,
    "api:my_can_i": Kind.API_PORTAL,
    "api:my_ask": Kind.API_PORTAL,
    "api:my_check_in": Kind.API_PORTAL,
    "api:my_check_in_result": Kind.API_PORTAL_RECORD,
    "api:my_course": Kind.API_PORTAL,
    "api:my_calendar": Kind.API_PORTAL,
    "api:my_leaflet": Kind.API_PORTAL,
}
# What an API route is sent: its query, and for a write its JSON body.
API_QUERIES: dict[str, dict[str, str]] = {
    "api:get_check": {"activity": "sauna", "hours_after": "10"},
    "api:get_course_plan": {"first": "2026-12-01"},
    "api:get_course_check": {"previous": "2026-11-01", "proposed": "2026-12-01"},
    "api:get_maintenance": {"completed": "2026-11-01"},
    "api:can_i": {"activity": "sauna"},
    "api:my_can_i": {"activity": "sauna"},
    "api:ask_treatment": {"q": "can i go in the sauna?"},
    "api:my_ask": {"q": "can i go in the sauna?"},
}
API_BODIES: dict[str, object] = {
    "api:post_triage": {"symptoms": [{"symptom": "redness"}], "hours_after": 10},
    "api:post_screen": {"answers": {"isotretinoin": "2026-10-01"}},
    "api:create_patient": {"given_name": "Carol", "family_name": "New"},
    "api:update_patient": {"preferred_channel": "none"},
    "api:create_screening": {"answers": {"pregnant": False}},
    "api:create_treatment": {
        "treated_at": NOW.isoformat(),
        "override_reason": "Screened on paper at the front desk.",
    },
    "api:create_check_in": {"symptoms": ["redness"], "trend": "stable"},
    "api:review_alert": {"note": "Called back."},
    "api:my_check_in": {"symptoms": ["redness"], "trend": "stable"},
}

PERSONAS = (
    "anonymous",
    "patient",
    "other_patient",
    "practitioner",
    "colleague",
    "admin",
    "deactivated",
    "outsider",
    "outsider_admin",
    "read_write_key",
    "read_only_key",
    "revoked_key",
    "outsider_key",
)
KEYS = ("read_write_key", "read_only_key", "revoked_key", "outsider_key")
SESSIONS = tuple(p for p in PERSONAS if p not in KEYS)
METHODS = ("GET", "HEAD", "POST")
PROBLEM = "application/problem+json"
SIGN_OUT = frozenset({"logout", "portal:leave"})
TO_LOGIN = "→ /login"
TO_SIGNED_OUT = "→ /p/signed-out"
# What each persona gets from each kind of page; "ok" means in, with the page's own answer.
EXPECTED: dict[Kind, dict[str, int | str]] = {
    Kind.CLINIC: {
        "anonymous": TO_LOGIN,
        "patient": TO_LOGIN,
        "other_patient": TO_LOGIN,
        "practitioner": "ok",
        "colleague": "ok",
        "admin": "ok",
        "deactivated": TO_LOGIN,
        "outsider": "ok",
        "outsider_admin": "ok",
    },
    Kind.RECORD: {
        "anonymous": TO_LOGIN,
        "patient": TO_LOGIN,
        "other_patient": TO_LOGIN,
        "practitioner": "ok",
        "colleague": "ok",
        "admin": "ok",
        "deactivated": TO_LOGIN,
        "outsider": 404,
        "outsider_admin": 404,
    },
    Kind.ADMIN: {
        "anonymous": TO_LOGIN,
        "patient": TO_LOGIN,
        "other_patient": TO_LOGIN,
        "practitioner": 403,
        "colleague": 403,
        "admin": "ok",
        "deactivated": TO_LOGIN,
        "outsider": 403,
        "outsider_admin": "ok",
    },
    Kind.ADMIN_RECORD: {
        "anonymous": TO_LOGIN,
        "patient": TO_LOGIN,
        "other_patient": TO_LOGIN,
        "practitioner": 403,
        "colleague": 403,
        "admin": "ok",
        "deactivated": TO_LOGIN,
        "outsider": 403,
        "outsider_admin": 404,
    },
    Kind.PORTAL: {
        "anonymous": TO_SIGNED_OUT,
        "patient": "ok",
        "other_patient": "ok",
        "practitioner": TO_SIGNED_OUT,
        "colleague": TO_SIGNED_OUT,
        "admin": TO_SIGNED_OUT,
        "deactivated": TO_SIGNED_OUT,
        "outsider": TO_SIGNED_OUT,
        "outsider_admin": TO_SIGNED_OUT,
    },
}
# An API key is nobody to the web app's pages: it signs nobody in.
for kind in (Kind.CLINIC, Kind.RECORD, Kind.ADMIN, Kind.ADMIN_RECORD):
    EXPECTED[kind] |= dict.fromkeys(KEYS, TO_LOGIN)
EXPECTED[Kind.PORTAL] |= dict.fromkeys(KEYS, TO_SIGNED_OUT)
EXPECTED[Kind.PORTAL_RECORD] = EXPECTED[Kind.PORTAL] | {"other_patient": 404}
EXPECTED[Kind.BY_TOKEN] = dict.fromkeys(PERSONAS, "ok")
EXPECTED[Kind.API_DOCUMENT] = dict.fromkeys(PERSONAS, "ok")
EXPECTED[Kind.API_DOCS] = EXPECTED[Kind.CLINIC]
EXPECTED[Kind.API_NOWHERE] = dict.fromkeys(PERSONAS, 404)
EXPECTED[Kind.API_ENGINE] = dict.fromkeys(PERSONAS, "ok") | {"revoked_key": 401}
# A browser's session is not a key, whoever it signed in.
_NO_KEY = dict.fromkeys(SESSIONS, 401) | {"revoked_key": 401}
EXPECTED[Kind.API_CLINIC] = _NO_KEY | dict.fromkeys(
    ("read_write_key", "read_only_key", "outsider_key"), "ok"
)
EXPECTED[Kind.API_CLINIC_WRITE] = EXPECTED[Kind.API_CLINIC] | {"read_only_key": 403}
EXPECTED[Kind.API_RECORD] = EXPECTED[Kind.API_CLINIC] | {"outsider_key": 404}
EXPECTED[Kind.API_RECORD_WRITE] = EXPECTED[Kind.API_RECORD] | {"read_only_key": 403}
EXPECTED[Kind.API_PORTAL] = dict.fromkeys(PERSONAS, 401) | {
    "patient": "ok",
    "other_patient": "ok",
}
EXPECTED[Kind.API_PORTAL_RECORD] = EXPECTED[Kind.API_PORTAL] | {"other_patient": 404}
# Which record an API route's {pk} is, by the start of its route.
API_RECORDS = (
    ("v1/patients/", "patient"),
    ("v1/treatments/", "treatment"),
    ("v1/alerts/", "check_in"),
    ("v1/me/check-ins/", "check_in"),
    ("v1/reminders/", "reminder"),
)
# Who must never see anything of that patient, on any page.
STRANGERS = frozenset(
    {
        "anonymous",
        "other_patient",
        "deactivated",
        "outsider",
        "outsider_admin",
        "revoked_key",
        "outsider_key",
    }
)
# The personal data of the patient every record URL points at.
SECRETS = ("Alice", "alice@example.com", "07700 900123", "Patient-Secret")
