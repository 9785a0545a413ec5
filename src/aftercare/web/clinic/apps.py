from __future__ import annotations

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "aftercare.web.clinic"
    label = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        # Connects the receiver that stamps sign-in attempts with the project's clock.
        from aftercare.web import lockout  # noqa: F401
