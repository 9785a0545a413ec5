"""One patient's aftercare as a FHIR R4B Bundle, for clinical systems that speak FHIR.

The Bundle holds the Patient, the treatment as a Procedure, the plan as a CarePlan whose
activities carry this patient's periods, the effective protocol as the PlanDefinition the
CarePlan instantiates, the check-in and screening Questionnaires, and one
QuestionnaireResponse per check-in and per screening. Every resource comes from the same
engine results as the leaflet and the calendar, and its wording from the protocol.

The export never reads the clock: statuses are judged at ``at``. Entry ``fullUrl``\\ s are
``urn:uuid:`` values derived (uuid5) from stable ids, so the same input gives the same
Bundle byte for byte. Canonical URLs are URNs (``urn:aftercare:plandefinition:<id>``)
with the protocol's content version after a ``|``, the form FHIR gives a versioned
canonical reference.
"""

from __future__ import annotations

from aftercare.exports.fhir.bundles import bundle
from aftercare.exports.fhir.encoding import to_json
from aftercare.exports.fhir.ids import (
    check_in_questionnaire_url,
    plan_definition_url,
    screening_questionnaire_url,
)
from aftercare.exports.fhir.responses import CheckInRecord, ScreeningRecord

__all__ = [
    "CheckInRecord",
    "ScreeningRecord",
    "bundle",
    "check_in_questionnaire_url",
    "plan_definition_url",
    "screening_questionnaire_url",
    "to_json",
]
