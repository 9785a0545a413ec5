"""Find a clinic's patients by what staff type, and their latest treatments, by index.

Each word must start a name or the email, or end the mobile, in any order and whatever
the case or accents; a whole phone number, typed in any usual form, finds its patient.
Every condition reads a search key's index (see ``clinic/search_keys.py``), so a search
costs what it finds, not what the clinic holds. Several words are first read as the start
of a full name, either way round ("jane smi", "smith jane"): one prefix of one key, where
word by word the database would read every Jane to find one Jane Smith. Only when no name
starts so are the words matched one by one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max, Q, QuerySet

from aftercare.web.clinic.models import Patient, Treatment
from aftercare.web.clinic.search_keys import digits_key, name_key, text_key
from aftercare.web.phones import e164

__all__ = ["MAX_QUERY_LENGTH", "MAX_QUERY_WORDS", "clean_query", "latest_treated", "search"]

MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 5


def clean_query(text: str) -> str:
    """The search words without invisible characters (a NUL breaks PostgreSQL)."""
    visible = "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cf"})
    return " ".join(visible.split())[:MAX_QUERY_LENGTH]


def search(patients: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    """The patients every word of ``query`` matches (all of them for an empty query)."""
    if not query:
        return patients
    if len(query.split()) > 1:
        whole = name_key(query)
        named = patients.filter(Q(name_key__prefix=whole) | Q(reverse_name_key__prefix=whole))
        if named.exists():
            return named
    words = Q()
    for word in query.split()[:MAX_QUERY_WORDS]:
        words &= _word(word)
    number = _number(query)
    return patients.filter(words | Q(mobile_key__prefix=number) if number else words)


def _word(word: str) -> Q:
    key = text_key(word)
    matches = Q(given_key__prefix=key) | Q(family_key__prefix=key) | Q(email_key__prefix=key)
    digits = digits_key(word)
    return matches | Q(mobile_key__prefix=digits) if digits else matches


def _number(query: str) -> str:
    """The mobile's digits, last first, when the whole query is a phone number."""
    compact = "".join(query.split())
    number = e164(query, mobile=True) or (compact if compact.lstrip("+").isdigit() else "")
    return digits_key(number)


def latest_treated(patients: Iterable[Patient]) -> dict[int, datetime]:
    """Each patient's latest treatment that was not cancelled, for one page of patients."""
    rows = (
        Treatment.objects.filter(patient__in=[p.pk for p in patients], cancelled_at=None)
        .order_by()
        .values_list("patient_id")
        .annotate(latest=Max("treated_at"))
    )
    return dict(rows)
