"""The site's URLs."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from aftercare.web import health

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", health.healthz, name="healthz"),
]
