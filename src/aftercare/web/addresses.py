"""The client's address, for sign-in throttling and the new-link rate limit.

With no proxy in front (AFTERCARE_PROXY_COUNT=0) only the socket's address counts: a client
can write any X-Forwarded-For. Behind N proxies, each appends the address it saw, so the
N-th entry from the right is the one the outermost trusted proxy saw; entries further left
are whatever the client claimed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_address"]


def client_address(request: HttpRequest) -> str:
    proxies: int = settings.PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(forwarded) >= proxies and forwarded[-proxies]:
            return str(forwarded[-proxies])
    return str(request.META.get("REMOTE_ADDR", ""))
