"""What the staff pages show about a patient's care, computed from the engine at read time.

Treatments store only their inputs; the plan, the day of the plan and the course windows
are worked out here on every view, so they always follow the protocol the engine holds.
Times are placed in the zone the patient lives by (the treatment's), dates for the staff
in the clinic's zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from aftercare.engine.course import course_outlook
from aftercare.engine.explain import (
    day_heading,
    describe_entry,
    format_day,
    format_moment,
    session_verdict,
)
from aftercare.engine.localtime import zone
from aftercare.engine.sentences import day_span, late_after
from aftercare.engine.timeline import Plan, plan
from aftercare.protocols.schema import Protocol
from aftercare.web.booking import session_days
from aftercare.web.clinic.models import CheckIn, Clinic, StaffMember, Treatment
from aftercare.web.kept import Kept

__all__ = [
    "CourseSummary",
    "TodaySummary",
    "area_labels",
    "course_summary",
    "local_moment",
    "local_today",
    "plan_key",
    "reviewer",
    "session_days",
    "staff_name",
    "today_summary",
    "treatment_plan",
]


# Plans kept per process (see treatment_plan); the least recently used goes first.
MAX_PLANS = 512
_plans: Kept[Plan] = Kept(MAX_PLANS)


@dataclass(frozen=True, slots=True)
class TodaySummary:
    """Where the latest treatment's plan stands now; ``day`` is None before it starts."""

    day: int | None
    today: tuple[str, ...]
    next_when: str | None
    next_lines: tuple[str, ...]
    # "Day 3", as explain heads it; "" before the plan starts.
    heading: str = ""


@dataclass(frozen=True, slots=True)
class CourseSummary:
    sessions_done: int
    sessions_planned: int
    last_session: str
    next_window: str | None
    next_verdict: str | None
    maintenance: str | None
    # The sessions that came later than the protocol's longest gap, as shown.
    late: tuple[str, ...] = ()


def local_today(clinic: Clinic, at: datetime) -> date:
    """The calendar day at ``at`` in the clinic's zone."""
    return at.astimezone(zone(clinic.time_zone)).date()


def local_moment(at: datetime, zone_name: str) -> str:
    """'Sat 5 Dec, 10:30' in ``zone_name``."""
    return format_moment(at.astimezone(zone(zone_name)))


def local_stamp(at: datetime, zone_name: str) -> str:
    """'2026-12-05 10:30' in ``zone_name``: for files, where the year matters and sorting."""
    return at.astimezone(zone(zone_name)).strftime("%Y-%m-%d %H:%M")


def area_labels(protocol: Protocol, areas: Sequence[str]) -> str:
    """'Face, Neck': the protocol's labels, or the stored id of an area it no longer has."""
    labels = {area.id: area.label for area in protocol.areas}
    return ", ".join(labels.get(area, str(area)) for area in areas)


def reviewer(check_in: CheckIn) -> str:
    """Who reviewed ``check_in``: a staff member's name, or the API key a clinic system
    used; "" when nobody did, or the login has gone."""
    if check_in.reviewed_by_key is not None:
        return f"API key {check_in.reviewed_by_key}"
    return staff_name(check_in.reviewed_by)


def staff_name(staff: StaffMember | None) -> str:
    """The staff member's full name, or their username; "" once the login has gone."""
    if staff is None:
        return ""
    user = staff.user
    return user.get_full_name() or user.get_username()


def plan_key(protocol: Protocol, treatment: Treatment) -> tuple[object, ...]:
    """All a treatment's plan is made from: the protocol's rules laid from the treatment's
    time in its zone. An edited time or zone, or a clinic's changed overlay (a new protocol
    version), makes a new key.
    """
    # The instant in UTC: two local times in one zone compare equal across a clock change
    # (01:30 BST and 01:30 GMT), whatever their fold.
    return (
        *(treatment.pk, treatment.treated_at.astimezone(UTC), treatment.time_zone),
        *(protocol.effective_id, protocol.version),
    )


def treatment_plan(protocol: Protocol, treatment: Treatment) -> Plan:
    """The plan of ``treatment``, in the zone the patient lives by; kept per process.

    The portal, the staff pages and the API read one plan of a treatment many times a
    day; a plan is frozen, so the one made first serves them all.
    """
    if treatment._state.adding:  # not saved: no id to keep it by
        return _made(protocol, treatment)
    return _plans.get(plan_key(protocol, treatment), lambda: _made(protocol, treatment))


def _made(protocol: Protocol, treatment: Treatment) -> Plan:
    return plan(protocol, treatment.treated_at.astimezone(zone(treatment.time_zone)))


def today_summary(protocol: Protocol, result: Plan, at: datetime) -> TodaySummary:
    """Day N of the plan at ``at``, what changes on that calendar day and what comes next."""
    status = result.status_at(at)
    upcoming = status.next_change
    return TodaySummary(
        day=status.day,
        heading="" if status.day is None else day_heading(status.day, language=protocol.language),
        today=tuple(describe_entry(protocol, e) for c in status.changes_today for e in c.entries),
        next_when=None if upcoming is None else format_moment(upcoming.at),
        next_lines=()
        if upcoming is None
        else tuple(describe_entry(protocol, e) for e in upcoming.entries),
    )


def course_summary(
    protocol: Protocol, treatments: Sequence[Treatment], today: date, chosen: int | None = None
) -> CourseSummary | None:
    """The course so far from the treatments (any order; cancelled ones are skipped), of
    the length ``chosen`` for the patient (None: the protocol's usual)."""
    days = session_days(treatments)
    if not days:
        return None
    outlook = course_outlook(protocol, days, today, chosen)
    gap, upkeep = outlook.next_session, outlook.maintenance
    return CourseSummary(
        sessions_done=outlook.sessions,
        sessions_planned=outlook.planned,
        last_session=format_day(days[-1]),
        next_window=None if gap is None else day_span(gap.earliest, gap.latest, protocol.language),
        next_verdict=None if gap is None else session_verdict(protocol, gap.verdict),
        maintenance=None
        if upkeep is None
        else day_span(upkeep.earliest, upkeep.latest, protocol.language),
        late=tuple(_late_words(protocol, days, outlook.late)),
    )


def _late_words(protocol: Protocol, days: Sequence[date], late: Iterable[date]) -> Iterable[str]:
    for day in late:
        yield late_after(protocol, day, max(d for d in days if d < day))
