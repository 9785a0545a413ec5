"""``GET /healthz``: is this process up, and can it reach its database?"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

__all__ = ["healthz"]

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    if is_database_up():
        return JsonResponse({"status": "ok", "database": "ok"})
    # The reason goes to the log, never to the (unauthenticated) caller.
    return JsonResponse({"status": "error", "database": "unavailable"}, status=503)


def is_database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: the database is unavailable", exc_info=True)
        return False
    return row is not None and row[0] == 1
