"""STUB: being written."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def patient_bundle(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse(status=501)
