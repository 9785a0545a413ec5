"""Staff pages, all under /clinic/ and all scoped to the signed-in staff member's clinic."""

from __future__ import annotations

from django.urls import URLPattern, path

from aftercare.web import export_fhir, export_pdf
from aftercare.web.staff import (
    api_keys,
    audit_log,
    check_ins,
    clinic_admin,
    dashboard,
    links,
    patient_data,
    patients,
    procedure_settings,
    questions,
    reminders,
    screening,
    treatment_changes,
    treatments,
)

urlpatterns: list[URLPattern] = [
    path("", dashboard.dashboard, name="dashboard"),
    path("patients/", patients.patient_list, name="patients"),
    path("patients/new", patients.patient_new, name="patient_new"),
    path("patients/<int:pk>/", patients.patient_detail, name="patient"),
    path("patients/<int:pk>/edit", patients.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/erase", patient_data.patient_erase, name="patient_erase"),
    path("patients/<int:pk>/legal-hold", patient_data.legal_hold, name="patient_legal_hold"),
    path(
        "patients/<int:pk>/everything.zip",
        patient_data.subject_access,
        name="patient_subject_access",
    ),
    path("patients/<int:pk>/screenings/new", screening.screening_new, name="screening_new"),
    path(
        "patients/<int:pk>/screenings/<int:screening_pk>",
        screening.screening_detail,
        name="screening",
    ),
    path("patients/<int:pk>/treatments/new", treatments.treatment_new, name="treatment_new"),
    path(
        "patients/<int:pk>/treatments/<int:treatment_pk>",
        treatments.treatment_detail,
        name="treatment",
    ),
    path(
        "patients/<int:pk>/treatments/<int:treatment_pk>/edit",
        treatment_changes.treatment_edit,
        name="treatment_edit",
    ),
    path(
        "patients/<int:pk>/treatments/<int:treatment_pk>/cancel",
        treatment_changes.treatment_cancel,
        name="treatment_cancel",
    ),
    path(
        "patients/<int:pk>/reminders/<int:reminder_pk>/cancel",
        reminders.reminder_cancel,
        name="reminder_cancel",
    ),
    path(
        "patients/<int:pk>/treatments/<int:treatment_pk>/leaflet.pdf",
        export_pdf.treatment_leaflet,
        name="treatment_leaflet",
    ),
    path("patients/<int:pk>/fhir.json", export_fhir.patient_bundle, name="patient_fhir"),
    path("leaflet.pdf", export_pdf.clinic_leaflet, name="clinic_leaflet"),
    path("patients/<int:pk>/link", links.patient_link, name="patient_link"),
    path("check-ins/<int:pk>", check_ins.check_in_detail, name="check_in"),
    path("questions/<int:pk>", questions.question_detail, name="question"),
    path("settings", clinic_admin.clinic_settings, name="clinic_settings"),
    path("settings/rule", clinic_admin.protocol_rule, name="protocol_rule"),
    path("settings/procedures", procedure_settings.clinic_procedures, name="clinic_procedures"),
    path("staff/", clinic_admin.staff_list, name="staff_list"),
    path("staff/new", clinic_admin.staff_new, name="staff_new"),
    path("staff/<int:pk>", clinic_admin.staff_edit, name="staff_edit"),
    path("audit", audit_log.audit_log, name="audit"),
    path("audit.csv", audit_log.audit_csv, name="audit_csv"),
    path("api-keys/", api_keys.api_keys, name="api_keys"),
    path("api-keys/new", api_keys.api_key_new, name="api_key_new"),
    path("api-keys/revoke", api_keys.api_key_revoke, name="api_key_revoke"),
]
