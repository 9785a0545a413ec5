from __future__ import annotations

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "aftercare.web.clinic"
    label = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        # Connects the receiver that stamps sign-in attempts with the project's clock.
        from django.contrib.auth.signals import user_logged_in

        from aftercare.web import lockout  # noqa: F401
        from aftercare.web.clinic.session_limits import begin_at_sign_in

        user_logged_in.connect(begin_at_sign_in, dispatch_uid="aftercare.session_limits")
