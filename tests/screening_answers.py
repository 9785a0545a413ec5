"""A screening with every question asked and nothing found, to change one answer at a time.

Questions start unanswered, so a test that means "only this answer matters" starts from
here; `tests/protocols/test_microneedling_screening.py` checks that it answers every question.
"""

from __future__ import annotations

from aftercare.engine.screening import NEVER, Answer

__all__ = ["NOTHING_FOUND", "answered"]

NOTHING_FOUND: dict[str, Answer] = {
    "isotretinoin": NEVER,
    "radiation": NEVER,
    "pregnant": False,
    "breastfeeding": False,
    "open_wound": False,
    "skin_infection": False,
    "active_herpes": False,
    "active_skin_condition": "none",
    "cold_sore_history": False,
    "anticoagulant": False,
    "platelet_medication": False,
    "keloid_history": False,
    "autoimmune": False,
    "diabetes": "no",
    "immunosuppressed": False,
    "skin_cancer": False,
    "metal_allergy": False,
    "fitzpatrick": "ii",
    "numbing_cream_allergy": False,
    "sunburn": False,
    "other_skin_treatment": NEVER,
    "toxin_or_filler": NEVER,
    "implants": False,
}


def answered(**changes: Answer) -> dict[str, Answer]:
    """Every question answered with nothing found, but for ``changes``."""
    return {**NOTHING_FOUND, **changes}
