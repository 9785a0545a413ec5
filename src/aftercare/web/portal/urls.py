"""The patient portal, under /p/: one patient per browser session."""

from __future__ import annotations

from django.urls import URLPattern, path

from aftercare.web import export_ics, export_pdf
from aftercare.web.portal import brand, check_in, entry, plan, stop

urlpatterns: list[URLPattern] = [
    path("open", entry.open_link, name="open"),
    path("new-link", entry.new_link, name="new_link"),
    path("signed-out", entry.signed_out, name="signed_out"),
    path("leave", entry.leave, name="leave"),
    path("", plan.today, name="today"),
    path("timeline", plan.timeline, name="timeline"),
    path("can-i", plan.can_i, name="can_i"),
    path("questions", plan.send_question, name="send_question"),
    path("check-in", check_in.check_in, name="check_in"),
    path("check-ins/<int:pk>", check_in.check_in_result, name="check_in_result"),
    path("course", plan.course, name="course"),
    path("leaflet.pdf", export_pdf.portal_leaflet, name="leaflet"),
    path("calendar.ics", export_ics.portal_calendar, name="calendar"),
    path("messages", stop.message_settings, name="message_settings"),
    path("stop/<str:token>", stop.stop, name="stop"),
    path("accent/<str:colour>.css", brand.accent_css, name="accent"),
    path("logo.png", brand.logo, name="logo"),
    path("manifest.webmanifest", brand.manifest, name="manifest"),
]
