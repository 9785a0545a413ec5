"""STUB: being written."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def portal_calendar(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(status=501)
