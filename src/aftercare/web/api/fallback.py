"""The API's answer for an address it does not have: a problem, not the web app's page.

Django answers a URL that matches no route with the site's HTML 404; a client of the API
expects ``application/problem+json`` for every error. An id that is not a whole number
(``/v1/patients/abc``, ``/v1/patients/-1``) matches no route, so it lands here too.
This router is added last: every real route is tried before it.
"""

# No "from __future__ import annotations": ninja reads these signatures at import time.

from django.http import HttpRequest, HttpResponse
from django.urls import register_converter
from ninja import Router

from aftercare.web.api.problems import problem

__all__ = ["NO_SUCH_ADDRESS", "router"]

NO_SUCH_ADDRESS = "The API has no such address; its routes are listed in /api/openapi.json."


class AnyText:
    """Any rest of a path, line breaks included (Django's ``path`` stops at one: ``%0A``)."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyText, "anytext")

# Nobody needs a key to be told that an address does not exist.
router = Router(auth=None)


@router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "{anytext:rest}", include_in_schema=False
)
def no_such_address(request: HttpRequest, rest: str) -> HttpResponse:
    return problem(404, NO_SUCH_ADDRESS)
