"""The clinic's look in the portal: its accent colour as a stylesheet, its logo, and the
web app manifest that lets a patient add the portal to their home screen.

The Content-Security-Policy allows styles from this site only (no inline styles), so the
accent colour comes as a tiny stylesheet named by the colour itself: it holds no patient
data, needs no query, and a browser keeps it for good. Only a colour the clinic settings
would accept is served, so what goes into the stylesheet is always '#' and six hex digits.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from aftercare.web.access import session_patient
from aftercare.web.clinic.branding import DEFAULT_ACCENT_COLOUR, validate_accent_colour
from aftercare.web.clinic.models import Clinic, logo_png
from aftercare.web.middleware import MAY_CACHE

__all__ = ["accent_css", "accent_href", "logo", "logo_href", "manifest"]

FOR_GOOD = "max-age=31536000, immutable"
MANIFEST_TYPE = "application/manifest+json"
APP_ICON_SIZES = (192, 512)


def accent_href(clinic: Clinic | None) -> str:
    """The stylesheet of ``clinic``'s accent colour (the default one without a clinic)."""
    colour = clinic.accent_colour if clinic is not None else DEFAULT_ACCENT_COLOUR
    return reverse("portal:accent", args=[colour.removeprefix("#").lower()])


def logo_href(clinic: Clinic | None) -> str:
    """Where the signed-in patient's browser finds the logo; "" when the clinic has none.
    The digest in the address changes with the logo, so the browser may keep it."""
    if clinic is None or not clinic.logo_digest:
        return ""
    return f"{reverse('portal:logo')}?v={clinic.logo_digest}"


@require_safe
def accent_css(request: HttpRequest, colour: str) -> HttpResponse:
    value = f"#{colour}"
    try:
        validate_accent_colour(value)
    except ValidationError:
        raise Http404("no such colour") from None
    response = HttpResponse(
        f":root {{ --accent: {value.lower()}; }}\n", content_type="text/css; charset=utf-8"
    )
    response["Cache-Control"] = f"public, {FOR_GOOD}"
    setattr(response, MAY_CACHE, True)
    return response


@require_safe
def logo(request: HttpRequest) -> HttpResponse:
    """The signed-in patient's clinic's logo, as the clinic settings kept it (a PNG)."""
    patient = session_patient(request)
    png = b"" if patient is None else logo_png(patient.clinic_id, patient.clinic.logo_digest)
    if not png:
        raise Http404("no logo")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = f"private, {FOR_GOOD}"
    setattr(response, MAY_CACHE, True)
    return response


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: the clinic's name and colour for a signed-in patient."""
    patient = session_patient(request)
    clinic = patient.clinic if patient is not None else None
    name = clinic.name if clinic is not None else "Your aftercare"
    body = {
        "name": f"{name}: aftercare",
        "short_name": "Aftercare",
        "start_url": reverse("portal:today"),
        "scope": reverse("portal:today"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": clinic.accent_colour if clinic is not None else DEFAULT_ACCENT_COLOUR,
        "icons": [
            {
                "src": static(f"aftercare/app-icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in APP_ICON_SIZES
        ],
    }
    response = HttpResponse(json.dumps(body, indent=2), content_type=MANIFEST_TYPE)
    response["Cache-Control"] = "private, no-cache"
    return response
