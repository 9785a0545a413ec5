from __future__ import annotations

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "aftercare.web.clinic"
    label = "clinic"
    verbose_name = "Clinic"
