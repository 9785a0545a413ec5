"""Django's database sessions, with every expiry decided on the project's clock.

Django's session store compares expiry dates with ``timezone.now()``. A patient's session
ends when their aftercare window ends, a moment the project computes on its own clock, so
the comparison must be made on that clock too: stored by one clock and checked on another,
a session made "on 21 November" by a frozen clock expired for real on 5 December.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet

from aftercare.web import clock

__all__ = ["SessionStore"]


class SessionStore(db.SessionStore):
    def get_expiry_age(self, **kwargs: Any) -> int:
        kwargs.setdefault("modification", clock.now())
        age: int = super().get_expiry_age(**kwargs)
        return age

    async def aget_expiry_age(self, **kwargs: Any) -> int:
        kwargs.setdefault("modification", clock.now())
        age: int = await super().aget_expiry_age(**kwargs)
        return age

    def get_expiry_date(self, **kwargs: Any) -> Any:
        kwargs.setdefault("modification", clock.now())
        return super().get_expiry_date(**kwargs)

    async def aget_expiry_date(self, **kwargs: Any) -> Any:
        kwargs.setdefault("modification", clock.now())
        return await super().aget_expiry_date(**kwargs)

    def set_expiry(self, value: Any) -> None:
        super().set_expiry(clock.now() + value if isinstance(value, timedelta) else value)

    async def aset_expiry(self, value: Any) -> None:
        await super().aset_expiry(clock.now() + value if isinstance(value, timedelta) else value)

    def _get_session_from_db(self) -> Session | None:
        try:
            return self._live().get(session_key=self.session_key)
        except (Session.DoesNotExist, SuspiciousOperation) as error:
            self._forget(error)
            return None

    async def _aget_session_from_db(self) -> Session | None:
        try:
            return await self._live().aget(session_key=self.session_key)
        except (Session.DoesNotExist, SuspiciousOperation) as error:
            self._forget(error)
            return None

    def _live(self) -> QuerySet[Session]:
        return Session.objects.filter(expire_date__gt=clock.now())

    def _forget(self, error: Exception) -> None:
        # As Django does: a tampered key is logged as a security event, by its class only.
        if isinstance(error, SuspiciousOperation):
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
        self._session_key = None

    @classmethod
    def clear_expired(cls) -> None:
        cls.get_model_class().objects.filter(expire_date__lt=clock.now()).delete()

    @classmethod
    async def aclear_expired(cls) -> None:
        await cls.get_model_class().objects.filter(expire_date__lt=clock.now()).adelete()
