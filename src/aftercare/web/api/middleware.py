"""Under /api/, every error is a problem: answers made outside ninja's handlers included.

ninja answers a method a route does not take with Django's bare 405, and Django answers
some errors before any route is reached; a client of the API should never have to parse
the web app's HTML. Such answers are turned into ``application/problem+json`` here, with
their status and headers (``Allow``) kept.

ninja routes also take only the methods they declare, so HEAD, which every HTTP server
must answer wherever it answers GET (RFC 9110, section 9.3.2), is answered here as GET,
without the body.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

from aftercare.web.api.problems import PROBLEM_TYPE, problem

__all__ = ["HeadMiddleware", "ProblemMiddleware"]

PREFIX = "/api/"
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


def _detail(request: HttpRequest, response: HttpResponse) -> str:
    if response.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        # The method as sent: HeadMiddleware hands a HEAD on as a GET.
        method = request.META.get("REQUEST_METHOD", request.method)
        return f"This address does not take {method}; it takes {_allowed(response)}."
    if response.status_code == HTTPStatus.NOT_FOUND:
        return "The API has no such address; its routes are listed in /api/openapi.json."
    if response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return "Something went wrong on our side; nothing was changed. Please try again later."
    return HTTPStatus(response.status_code).description or "The request was refused."


def _allowed(response: HttpResponse) -> str:
    """The methods in ``Allow``, in a stable order (ninja lists them in no fixed one), with
    HEAD wherever GET is."""
    methods = {m.strip() for m in response.get("Allow", "").split(",") if m.strip()}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


class HeadMiddleware:
    """HEAD under /api/: the GET answer's status and headers, without its body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD" or not request.path.startswith(PREFIX):
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class ProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < HTTPStatus.BAD_REQUEST
            or not request.path.startswith(PREFIX)
            or response.get("Content-Type", "").startswith(PROBLEM_TYPE)
        ):
            return response
        answer = problem(response.status_code, _detail(request, response))
        for header in KEPT_HEADERS:
            if header in response:
                answer[header] = response[header]
        if "Allow" in answer:
            answer["Allow"] = _allowed(response)
        return answer
