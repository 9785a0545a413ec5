"""One patient's aftercare as a collection Bundle, with statuses as they are at a moment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.resource import Resource

from aftercare.exports import Subject
from aftercare.exports.fhir.care import care_plan, organization, patient, procedure
from aftercare.exports.fhir.definitions import protocol_resources
from aftercare.exports.fhir.ids import Ids
from aftercare.exports.fhir.responses import (
    CheckInRecord,
    ScreeningRecord,
    check_in_response,
    screening_response,
)

__all__ = ["bundle"]


def bundle(
    subject: Subject,
    *,
    at: datetime,
    check_ins: Iterable[CheckInRecord] = (),
    screenings: Iterable[ScreeningRecord] = (),
) -> Bundle:
    """The collection Bundle of ``subject``'s treatment, with statuses as they are at ``at``."""
    ids = Ids(subject)
    protocol = subject.protocol
    entries: list[tuple[str, Resource]] = [
        (ids.clinic, organization(subject, ids)),
        (ids.patient, patient(subject, ids)),
        (ids.procedure, procedure(subject, ids)),
        (ids.care_plan, care_plan(subject, ids, at)),
        *protocol_resources(protocol, ids),
    ]
    for check_in in check_ins:
        key = ids.of("check-in", check_in.id or check_in.created_at.isoformat())
        entries.append((key, check_in_response(protocol, check_in, ids, key)))
    for screening in screenings:
        key = ids.of("screening", screening.id or screening.screened_at.isoformat())
        entries.append((key, screening_response(protocol, screening, ids, key)))
    return Bundle(
        id=ids.of("bundle", at.isoformat()),
        type="collection",
        timestamp=at,
        entry=[BundleEntry(fullUrl=f"urn:uuid:{key}", resource=res) for key, res in entries],
    )
