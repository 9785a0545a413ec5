"""Sign-in lock-outs (django-axes) decided on the project's clock.

Axes stamps each request with ``timezone.now()`` and compares stored attempts with that
stamp: whether five failures fall within 15 minutes, and which attempts have expired. The
handler restamps the request with the project's clock before every decision, and the
receiver below puts that clock on a new attempt's row, where axes's ``auto_now_add`` writes
Django's clock over the time the handler passed.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from aftercare.web import clock

__all__ = ["ClockedDatabaseHandler"]


def _stamp(request: HttpRequest | None) -> None:
    if request is not None:
        request.axes_attempt_time = clock.now()  # type: ignore[attr-defined]


class ClockedDatabaseHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def is_allowed(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        _stamp(request)
        allowed: bool = super().is_allowed(request, credentials)
        return allowed

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        _stamp(request)
        failures: int = super().get_failures(request, credentials)
        return failures

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        _stamp(request)
        super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        _stamp(request)
        super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        _stamp(request)
        super().user_logged_out(sender, request, user, **kwargs)


@receiver(post_save, sender=AccessAttempt, dispatch_uid="aftercare.lockout.stamp")
def _stamp_new_attempt(
    sender: type[AccessAttempt], instance: AccessAttempt, created: bool, **kwargs: Any
) -> None:
    if created:
        instance.attempt_time = clock.now()
        AccessAttempt.objects.filter(pk=instance.pk).update(attempt_time=instance.attempt_time)
