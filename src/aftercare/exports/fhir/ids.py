"""Stable ids and canonical URLs: the same input gives the same ids, byte for byte.

Entry ``fullUrl``\\ s are ``urn:uuid:`` values derived (uuid5) from stable ids. Canonical
URLs are URNs (``urn:aftercare:plandefinition:<id>``) with the protocol's content version
after a ``|``, the form FHIR gives a versioned canonical reference.
"""

from __future__ import annotations

import uuid

from fhir.resources.R4B.reference import Reference

from aftercare.exports import Subject
from aftercare.protocols.schema import Protocol

__all__ = [
    "URN",
    "Ids",
    "check_in_questionnaire_url",
    "plan_definition_url",
    "screening_questionnaire_url",
]

URN = "urn:aftercare"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:aftercare")


def plan_definition_url(protocol: Protocol) -> str:
    return f"{URN}:plandefinition:{protocol.effective_id}"


def check_in_questionnaire_url(protocol: Protocol) -> str:
    return f"{URN}:questionnaire:{protocol.effective_id}:check-in"


def screening_questionnaire_url(protocol: Protocol) -> str:
    return f"{URN}:questionnaire:{protocol.effective_id}:screening"


class Ids:
    """Deterministic uuids: the protocol's resources by its version, the rest by the
    patient and the treatment."""

    def __init__(self, subject: Subject) -> None:
        protocol = subject.protocol
        self.person = subject.patient_id or f"{subject.patient_name}|{subject.treated_at}"
        self.treatment = subject.treatment_id or f"{self.person}|{subject.treated_at}"
        versioned = f"{protocol.effective_id}|{protocol.version}"
        self.clinic = _uuid("organization", subject.clinic.name)
        self.patient = _uuid("patient", self.person)
        self.procedure = self.of("procedure", "")
        self.care_plan = self.of("careplan", "")
        self.plan_definition = _uuid("plandefinition", versioned)
        self.check_in_form = _uuid("questionnaire-check-in", versioned)
        self.screening_form = _uuid("questionnaire-screening", versioned)

    def of(self, kind: str, key: str) -> str:
        return _uuid(kind, f"{self.person}|{self.treatment}|{key}")

    def ref(self, key: str) -> Reference:
        return Reference(reference=f"urn:uuid:{key}")


def _uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))
