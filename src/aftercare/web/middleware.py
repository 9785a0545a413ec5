"""Request ids, no caching of pages with health data, and logs without query strings."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

__all__ = [
    "MAY_CACHE",
    "NoStoreMiddleware",
    "NullOriginMiddleware",
    "PermissionsPolicyMiddleware",
    "RequestIdMiddleware",
    "StripQueryFilter",
    "request_id",
]

_ID_ATTRIBUTE = "aftercare_request_id"
_QUERY = re.compile(r"\?\S*")


def request_id(request: HttpRequest) -> str:
    """The id ``RequestIdMiddleware`` gave this request ("" outside a request)."""
    return str(getattr(request, _ID_ATTRIBUTE, ""))


class RequestIdMiddleware:
    """Give every request an id, returned as ``X-Request-ID`` and kept in the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Generated here, never taken from the client: the audit log must be able to trust it.
        setattr(request, _ID_ATTRIBUTE, secrets.token_hex(16))
        response = self.get_response(request)
        response["X-Request-ID"] = request_id(request)
        return response


# The attribute a response carries when it holds no patient's data and may be cached.
MAY_CACHE = "aftercare_may_cache"


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page: each one may show a patient's health data.

    A view whose answer holds none (a clinic's colour or logo) sets ``MAY_CACHE`` on its
    response to keep the caching it chose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + (settings.STATIC_URL or "").lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix) and not getattr(
            response, MAY_CACHE, False
        ):
            add_never_cache_headers(response)
        return response


class StripQueryFilter(logging.Filter):
    """Remove query strings from log lines: a patient's link token may travel in one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = _QUERY.sub("?…", str(record.msg))
        return True


class NullOriginMiddleware:
    """Let Django's CSRF check see this site's own form posts under ``no-referrer``.

    With ``Referrer-Policy: no-referrer`` browsers post forms with ``Origin: null`` and no
    Referer, which Django's ``CsrfViewMiddleware`` (next in line) refuses as cross-site.
    Browsers also send ``Sec-Fetch-Site``, which page scripts cannot set; when it says the
    post came from this very origin, the null origin is replaced by this site's own. The
    CSRF token in the form is still required, exactly as before.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if meta.get("HTTP_ORIGIN") == "null" and meta.get("HTTP_SEC_FETCH_SITE") == "same-origin":
            meta["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every answer: no page needs a camera, microphone or place."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy: str = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.policy)
        return response
