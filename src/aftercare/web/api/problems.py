"""Errors as ``application/problem+json`` (RFC 9457), with words a person can act on.

Every error the API gives goes through here: invalid input (422, each field named),
unreadable JSON (400), no or a bad key (401), a key or session that may not do this (403),
a record that is not there or not the caller's (404, the same answer for both), and a
request the records refuse (409). The OpenAPI document lists them per operation with this
media type, so clients and schema checkers see what they will get.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from aftercare.engine.errors import AftercareError, UnknownNameError
from aftercare.web.api.body import NotAnObjectError

__all__ = ["PROBLEM_TYPE", "FieldError", "Problem", "install", "problem", "responses"]

PROBLEM_TYPE = "application/problem+json"
NOT_FOUND = "There is no such record, or it belongs to another clinic or patient."


class FieldError(Schema):
    """One field of the request that was refused, and why."""

    field: str
    message: str


class Problem(Schema):
    """An RFC 9457 problem: ``type`` is always about:blank, so ``title`` is the status."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = Field(default_factory=list)


def problem(status: int, detail: str, errors: list[FieldError] | None = None) -> HttpResponse:
    body = Problem(
        title=HTTPStatus(status).phrase, status=status, detail=detail, errors=errors or []
    )
    response = HttpResponse(body.model_dump_json(), status=status, content_type=PROBLEM_TYPE)
    if status == HTTPStatus.UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="aftercare"'
    return response


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """An operation's responses: ``ok`` and the error statuses it can give, as problems."""
    return ok | dict.fromkeys(sorted({400, 422, *errors}), Problem)


def install(api: NinjaAPI) -> None:
    # ninja types each handler's error as "E | type[E]"; the handlers take Any for that.
    api.add_exception_handler(ValidationError, _invalid)
    api.add_exception_handler(AuthenticationError, _unauthenticated)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(AftercareError, _refused_by_engine)
    api.add_exception_handler(MultiPartParserError, _unreadable_form)


def _invalid(request: HttpRequest, error: Any) -> HttpResponse:
    errors = [_field_error(item) for item in error.errors]
    fields = ", ".join(dict.fromkeys(e.field for e in errors))
    return problem(422, f"Some of what was sent is not valid: {fields}.", errors)


def _field_error(item: dict[str, Any]) -> FieldError:
    location = [str(part) for part in item.get("loc", ())]
    # ninja's location starts with the source and the parameter's name: keep what the
    # caller wrote ("query.at", "body.given_name").
    if len(location) > 2 and location[0] in ("body", "query"):
        location = [location[0], *location[2:]]
    message = str(item.get("msg", "is not valid"))
    return FieldError(field=".".join(location) or "request", message=message)


def _unauthenticated(request: HttpRequest, error: Any) -> HttpResponse:
    detail = error.message
    if detail == "Unauthorized":  # ninja's word when no credentials came at all
        detail = "Send a clinic's API key as 'Authorization: Bearer ak_…', or sign in."
    return problem(401, detail)


def _http_error(request: HttpRequest, error: Any) -> HttpResponse:
    detail = str(error)
    if error.status_code == 400 and detail.startswith("Cannot parse request body"):
        # ninja words every unreadable body alike; what it could not read says which it was.
        if isinstance(error.__cause__, NotAnObjectError):
            detail = "The request body must be a JSON object."
        else:
            detail = "The request body is not valid JSON."
    if error.status_code == 403 and detail == "CSRF check Failed":
        detail = "The portal's CSRF token is missing or wrong; reload the page and try again."
    return problem(error.status_code, detail)


def _unreadable_form(request: HttpRequest, error: Any) -> HttpResponse:
    """A broken multipart body, read by the portal session's CSRF check before the route's
    own parser: Django would answer with the site's HTML 400."""
    return problem(400, "The request body is not valid JSON.")


# The request field that carries each kind of name the engine looks up.
_NAME_FIELDS = {"activity": "activity", "symptom": "symptoms", "area": "areas"}


def _refused_by_engine(request: HttpRequest, error: Any) -> HttpResponse:
    """The engine's own input checks: an unknown activity (with suggestions), a depth out
    of range, an answer the question does not take. An unknown name is put against its
    field: in the query of a GET, in the body otherwise."""
    errors = None
    if isinstance(error, UnknownNameError) and error.kind in _NAME_FIELDS:
        source = "query" if request.method == "GET" else "body"
        errors = [FieldError(field=f"{source}.{_NAME_FIELDS[error.kind]}", message=str(error))]
    return problem(422, str(error), errors)


def _not_found(request: HttpRequest, error: Any) -> HttpResponse:
    return problem(404, NOT_FOUND)
