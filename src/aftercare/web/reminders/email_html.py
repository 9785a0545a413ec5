"""The HTML part of every email to a patient or to staff, in the clinic's branding.

The plain text stays the message (it is what the reminder row keeps, what a text-only mail
app shows, and it goes first); the HTML is the same paragraphs under a band of the clinic's
accent colour with its name and, when it has one, its logo. The template is autoescaped
and the styles are inline: nothing is fetched when the email is opened. The logo travels
inside the email as a ``cid:`` part (``multipart/related``), never as an address, so a
mail app that blocks remote pictures shows it all the same and no one learns the email
was opened.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from email.mime.image import MIMEImage

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from aftercare.web.clinic.branding import DEFAULT_ACCENT_COLOUR, is_accent_colour
from aftercare.web.clinic.models import Clinic, logo_png

__all__ = [
    "EMAIL_HTML",
    "LOGO_CONTENT_ID",
    "Branding",
    "attach_html",
    "branding",
    "clinic_branding",
]

EMAIL_HTML = "aftercare/messages/email.html"
LOGO_CONTENT_ID = "clinic-logo@aftercare"


@dataclass(frozen=True, slots=True)
class Branding:
    """What an email shows of the clinic that sends it."""

    name: str
    accent_colour: str = DEFAULT_ACCENT_COLOUR
    logo_png: bytes = b""


def clinic_branding(clinic: Clinic) -> Branding:
    return branding(clinic.pk, clinic.name, clinic.accent_colour, clinic.logo_digest)


def branding(clinic_id: int, name: str, accent_colour: str, logo_digest: str) -> Branding:
    """The branding of a clinic read as columns (the worker's joined row). A colour the
    settings form did not check (written some other way) gives way to the default: it
    goes into a style attribute."""
    colour = accent_colour if is_accent_colour(accent_colour) else DEFAULT_ACCENT_COLOUR
    return Branding(name, colour, _logo(clinic_id, logo_digest))


# Logos by (clinic, digest): a digest names its bytes, so a kept one is never out of date,
# and a worker sending many emails reads each logo once.
_logos: dict[tuple[int, str], bytes] = {}
_logos_lock = threading.Lock()
_MAX_KEPT_LOGOS = 64


def _logo(clinic_id: int, digest: str) -> bytes:
    if not digest:
        return b""
    key = (clinic_id, digest)
    kept = _logos.get(key)
    if kept is not None:
        return kept
    png = logo_png(clinic_id, digest)
    if png:
        with _logos_lock:
            if len(_logos) >= _MAX_KEPT_LOGOS:
                _logos.clear()
            _logos[key] = png
    return png


def attach_html(
    email: EmailMultiAlternatives, subject: str, body: str, brand: Branding | None
) -> None:
    """Add the HTML version of ``body`` to ``email``, and the logo it shows."""
    context = {
        "subject": subject,
        "paragraphs": body.strip().split("\n\n"),
        "brand": brand,
        "logo_cid": LOGO_CONTENT_ID if brand and brand.logo_png else "",
    }
    email.attach_alternative(render_to_string(EMAIL_HTML, context), "text/html")
    if brand and brand.logo_png:
        # The HTML and its picture are one related whole; the plain text stays first.
        email.mixed_subtype = "related"
        logo = MIMEImage(brand.logo_png, "png")
        logo.add_header("Content-ID", f"<{LOGO_CONTENT_ID}>")
        logo.add_header("Content-Disposition", "inline", filename="logo.png")
        email.attach(logo)
