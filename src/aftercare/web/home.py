"""``/``: staff go to their dashboard, everyone else to the sign-in page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

__all__ = ["home"]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("staff:dashboard")
    return redirect("login")
