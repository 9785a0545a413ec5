"""The Harbour clinic of the stateless-route tests: it waits 180 days after isotretinoin
instead of the protocol's 90, and calls with its own API key."""

from __future__ import annotations

from django.test import Client

from tests.web.conftest import key_client, make_clinic, make_key, set_overlay

__all__ = ["TIGHTER", "harbour_client"]

TIGHTER = """\
id: harbour
protocol: microneedling
title: Harbour rules
changes:
  - item: SC-isotretinoin-recent
    set: {trigger.within_days: 180}
"""


def harbour_client() -> Client:
    """A client with the key of a new clinic, Harbour, whose overlay is TIGHTER."""
    clinic = make_clinic("harbour")
    set_overlay(clinic, TIGHTER)
    return key_client(make_key(clinic))
