"""STUB: being written."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def treatment_leaflet(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(status=501)


def clinic_leaflet(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(status=501)


def portal_leaflet(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(status=501)
