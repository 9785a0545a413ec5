"""The API object: its routers, its errors, its OpenAPI document and where it is served.

The document is ninja's, with two corrections so that it says what the server does:
errors are listed as ``application/problem+json``, and the stateless routes say that a key
is optional (``security: [{ClinicKey: []}, {}]``).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.openapi.views import openapi_json

from aftercare.web.access import staff_required
from aftercare.web.api import problems
from aftercare.web.api.alerts import router as alerts
from aftercare.web.api.auth import ClinicKey
from aftercare.web.api.body import ObjectParser
from aftercare.web.api.engine import router as engine
from aftercare.web.api.me import router as me
from aftercare.web.api.patients import router as patients
from aftercare.web.api.reminders import router as reminders
from aftercare.web.api.treatments import router as treatments

__all__ = ["api"]

DESCRIPTION = """\
Aftercare's API for clinic systems (booking, clinical records) and the patient portal.

* **Clinic routes** take a clinic's API key: `Authorization: Bearer ak_…`. Clinic
  administrators make keys in the web app (Clinic settings → API keys) or with
  `aftercare apikey create`. A read-only key cannot write.
* **`/me` routes** take the patient portal's session (open a patient link first).
* **Engine routes** (`/protocol`, `/check`, `/triage`, `/screen`, `/course/…`) hold no
  patient data and need no key; with a key they use that clinic's protocol.

Times are ISO 8601 with their UTC offset; dates are the clinic's or the patient's local
dates. Errors are `application/problem+json` (RFC 9457).
"""


class AftercareApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                _problem_media_type(operation)
                _optional_key(operation)
        schema["components"].get("securitySchemes", {}).pop("OptionalClinicKey", None)
        return schema


def _problem_media_type(operation: dict[str, Any]) -> None:
    for status, response in operation["responses"].items():
        content = response.get("content", {})
        if int(status) >= 400 and "application/json" in content:
            response["content"] = {problems.PROBLEM_TYPE: content["application/json"]}


def _optional_key(operation: dict[str, Any]) -> None:
    security = operation.get("security")
    if security and any("OptionalClinicKey" in s for s in security):
        operation["security"] = [{"ClinicKey": []}, {}]


def _docs_for_staff(view: Any) -> Any:
    """The interactive documentation is for signed-in clinic staff.

    ninja hands this decorator the OpenAPI document's view too; that document stays
    public, so that clinic systems and their client generators can read it without a login.
    """
    if getattr(view, "func", None) is openapi_json:
        return view
    return staff_required(view)


api = AftercareApi(
    title="Aftercare API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_decorator=_docs_for_staff,
    auth=ClinicKey(),
    parser=ObjectParser(),
)
problems.install(api)
for router in (engine, patients, treatments, alerts, reminders):
    api.add_router("/v1/", router)
api.add_router("/v1/me/", me)
