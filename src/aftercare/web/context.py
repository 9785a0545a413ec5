"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

__all__ = ["site"]


def site(request: HttpRequest) -> dict[str, Any]:
    """The signed-in staff member or patient, when a view has set one."""
    return {
        "staff": getattr(request, "staff", None),
        "portal_patient": getattr(request, "patient", None),
    }
