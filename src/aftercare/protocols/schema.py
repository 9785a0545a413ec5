"""The protocol schema: strict, frozen pydantic models for the clinical content.

The models check the *shape* of a protocol. Cross-references between sections
(an aftercare rule naming an activity, a citation naming a leaflet) are checked
by :mod:`aftercare.protocols.references`, so that every broken reference is
reported at once, each with its path.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from functools import cached_property
from string import Formatter
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from aftercare.protocols.version import content_version

if TYPE_CHECKING:
    from aftercare.protocols.index import ProtocolIndex

__all__ = [
    "REMINDER_PLACEHOLDERS",
    "Activity",
    "ActivityRule",
    "AppliedChange",
    "Area",
    "AskBack",
    "AskPhrases",
    "AskTopic",
    "Asking",
    "Caution",
    "Citation",
    "Conflict",
    "ConflictStatement",
    "Course",
    "ExpectedWindow",
    "FreeText",
    "Information",
    "Leaflet",
    "Level",
    "Modifier",
    "OverlayRecord",
    "Protocol",
    "Provenance",
    "Question",
    "Recheck",
    "Reconciliation",
    "ReminderItem",
    "ReminderKind",
    "Requirement",
    "RuleKind",
    "Screening",
    "ScreeningOutcome",
    "ScreeningRule",
    "SkinState",
    "Symptom",
    "SymptomReasons",
    "TimeWord",
    "TimelineGroup",
    "Triage",
    "Trigger",
]

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
RuleId = Annotated[str, Field(pattern=r"^[A-Z]{2,4}-[a-z0-9-]+$", max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Hours = Annotated[int, Field(ge=0, le=24 * 366)]
OverlayId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
# A protocol's id is also its file's name ("chemical-peel.yaml"), so it may hold hyphens.
ProtocolId = OverlayId


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Provenance(StrEnum):
    LEAFLET = "leaflet"
    RECONCILED = "reconciled"
    LITERATURE = "literature"


class Level(StrEnum):
    """Triage levels, in rising order of urgency."""

    EXPECTED = "expected"
    CONTACT_CLINIC = "contact_clinic"
    CONTACT_CLINIC_NOW = "contact_clinic_now"
    CALL_999 = "call_999"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    @property
    def is_urgent(self) -> bool:
        """Contact the clinic now, or more urgent: the answer is shown on its own, first."""
        return self.rank >= _LEVEL_RANK[Level.CONTACT_CLINIC_NOW]


_LEVEL_RANK = {
    Level.EXPECTED: 0,
    Level.CONTACT_CLINIC: 1,
    Level.CONTACT_CLINIC_NOW: 2,
    Level.CALL_999: 3,
}


class RuleKind(StrEnum):
    AVOID = "avoid"
    DO = "do"
    ALLOWED_FROM = "allowed_from"
    # Never advised, with no end: no plan, answer or calendar may ever show it as allowed.
    NEVER = "never"


class ReminderKind(StrEnum):
    """What a scheduled message is for; the engine knows when each kind is due."""

    WELCOME = "welcome"
    CHANGE = "change"
    SUNSCREEN = "sunscreen"
    CHECK_IN = "check_in"
    NEXT_SESSION = "next_session"
    MAINTENANCE = "maintenance"


class ScreeningOutcome(StrEnum):
    """What a screening rule does when it fires, mildest first."""

    CAUTION = "caution"
    CLINICIAN_REVIEW = "clinician_review"
    NOT_YET = "not_yet"
    NOT_SUITABLE = "not_suitable"


ProvenanceField = Annotated[Provenance, Field(strict=False)]
LevelField = Annotated[Level, Field(strict=False)]
RuleKindField = Annotated[RuleKind, Field(strict=False)]
OutcomeField = Annotated[ScreeningOutcome, Field(strict=False)]
ReminderKindField = Annotated[ReminderKind, Field(strict=False)]


# --- sources -----------------------------------------------------------------


class Leaflet(Strict):
    id: Annotated[str, Field(pattern=r"^S\d{3}$")]
    file: Annotated[str, Field(pattern=r"^[\w.-]+\.txt$")]
    title: Text


class Citation(Strict):
    """One source behind an item: a leaflet quote, or a literature reference."""

    leaflet: str | None = None
    quote: Text | None = None
    literature: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Citation:
        if (self.leaflet is None) == (self.literature is None):
            raise ValueError("a citation names either a leaflet or literature, not both")
        if self.leaflet is not None and self.quote is None:
            raise ValueError("a leaflet citation needs a quote")
        return self


class Reconciliation(Strict):
    conflict: Annotated[str, Field(pattern=r"^C\d+$")]
    rule: Literal[
        "most_conservative",
        "conjunction",
        "specific_over_general",
        "explicit_over_vague",
        "seed_over_literature",
        "literature_fills_silence",
    ]
    note: Text


class Cited(Strict):
    """An item of clinical content: it names its sources and how it was decided."""

    sources: Annotated[tuple[Citation, ...], Field(min_length=1)]
    provenance: ProvenanceField
    reconciliation: Reconciliation | None = None

    @model_validator(mode="after")
    def _reconciled_names_conflict(self) -> Cited:
        reconciled = self.provenance is Provenance.RECONCILED
        if reconciled != (self.reconciliation is not None):
            raise ValueError("provenance 'reconciled' and a 'reconciliation' go together")
        if reconciled and len(self.sources) < 2:
            raise ValueError("a reconciled item cites the statements it reconciled (two or more)")
        return self


# --- vocabulary ----------------------------------------------------------------


class Area(Strict):
    id: Id
    label: Text
    aliases: tuple[str, ...] = ()


class Activity(Strict):
    id: Id
    label: Text
    aliases: tuple[Annotated[str, Field(min_length=2, max_length=60)], ...] = ()


class SkinState(Strict):
    """A state of the skin that gates an item, e.g. 'redness_resolved'."""

    id: Id
    blocking: Id
    text: Text
    blocking_text: Text


class Requirement(Strict):
    id: Id
    text: Text


class Modifier(Cited):
    """A patient factor that changes what counts as expected (C11, C12)."""

    id: Id
    label: Text
    area: Id | None = None
    flag: (
        Literal["sensitive_skin", "platelet_medication", "anticoagulant", "cold_sore_history"]
        | None
    ) = None
    age_at_least: Annotated[int, Field(ge=0, le=130)] | None = None
    needle_depth_over_mm: Annotated[float, Field(ge=0, le=5)] | None = None
    fitzpatrick_at_least: Annotated[int, Field(ge=1, le=6)] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Modifier:
        tests = (
            self.area,
            self.flag,
            self.age_at_least,
            self.needle_depth_over_mm,
            self.fitzpatrick_at_least,
        )
        if sum(test is not None for test in tests) != 1:
            raise ValueError("a modifier tests exactly one factor")
        return self


# --- aftercare -----------------------------------------------------------------


class ActivityRule(Cited):
    """An aftercare rule: what to avoid, what to do, and from when."""

    id: RuleId
    kind: RuleKindField
    activities: Annotated[tuple[Id, ...], Field(min_length=1)]
    allowed_from_hours: Hours = 0
    required_until_hours: Hours | None = None
    gate: Id | None = None
    requirements: tuple[Id, ...] = ()
    min_spf: Annotated[int, Field(ge=15, le=100)] | None = None
    text: Text
    # A 'do' rule that goes on as a habit after its window: what to keep doing then.
    then_text: Text | None = None
    reason: Text

    @model_validator(mode="after")
    def _window_fits_kind(self) -> ActivityRule:
        if self.kind is RuleKind.DO:
            if self.required_until_hours is None:
                raise ValueError("a 'do' rule needs required_until_hours")
            if self.required_until_hours <= self.allowed_from_hours:
                raise ValueError("required_until_hours must come after allowed_from_hours")
        elif self.required_until_hours is not None or self.min_spf is not None:
            raise ValueError("only a 'do' rule has required_until_hours or min_spf")
        if self.then_text is not None and self.kind is not RuleKind.DO:
            raise ValueError("only a 'do' rule has then_text")
        if self.kind is RuleKind.NEVER and (self.allowed_from_hours or self.gate):
            raise ValueError("a 'never' rule has no allowed_from_hours and no gate: it never ends")
        return self

    @property
    def is_never(self) -> bool:
        return self.kind is RuleKind.NEVER


class TimelineGroup(Strict):
    """A column of the timeline as patients think of it (S000's table headings)."""

    id: Id
    label: Text
    until_hours: Hours | None = None
    until_local_day: Annotated[int, Field(ge=0, le=30)] | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> TimelineGroup:
        if (self.until_hours is None) == (self.until_local_day is None):
            raise ValueError("a group ends after until_hours or at the end of until_local_day")
        return self


# --- symptoms and triage -------------------------------------------------------


class ExpectedWindow(Strict):
    """How long a symptom counts as expected, and which factors widen it.

    ``area_limits`` gives, for a treated area, the longest a leaflet states the symptom lasts
    there: the protocol's policy is that no widening factor extends the window beyond it.
    """

    hours: Hours
    widened_hours: Hours | None = None
    widened_by: tuple[Id, ...] = ()
    area_limits: dict[Id, Hours] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _widening_is_complete(self) -> ExpectedWindow:
        if (self.widened_hours is None) != (not self.widened_by):
            raise ValueError("widened_hours and widened_by go together")
        if self.widened_hours is not None and self.widened_hours < self.hours:
            raise ValueError("widened_hours cannot be shorter than hours")
        for area, hours in self.area_limits.items():
            if hours < self.hours:
                raise ValueError(f"the limit for '{area}' cannot be shorter than hours")
        return self


class SymptomReasons(Strict):
    expected: Text | None = None
    beyond: Text
    worsening: Text | None = None
    severe: Text | None = None


Phrase = Annotated[str, Field(min_length=3, max_length=60, pattern=r"^[^\W_]")]


class Symptom(Cited):
    id: Id
    label: Text
    aliases: tuple[Annotated[str, Field(min_length=2, max_length=60)], ...] = ()
    # Words in a patient's free text that report this symptom ("oozing", "can't breathe");
    # see aftercare.engine.red_flags for how they are matched.
    phrases: tuple[Phrase, ...] = ()
    red_flag: bool = False
    expected: ExpectedWindow | None = None
    level: LevelField
    if_worsening: LevelField | None = None
    if_severe: LevelField | None = None
    reasons: SymptomReasons
    advice: Text | None = None

    @model_validator(mode="after")
    def _red_flags_are_never_expected(self) -> Symptom:
        if self.level is Level.EXPECTED:
            raise ValueError(
                "'level' is the level outside the expected window; it cannot be 'expected'"
            )
        if self.red_flag and self.expected is not None:
            raise ValueError("a red flag has no expected window")
        if not self.red_flag and (self.expected is None or self.reasons.expected is None):
            raise ValueError(
                "a symptom that is not a red flag needs 'expected' and reasons.expected"
            )
        return self


class FreeText(Strict):
    """What free text that matches no symptom's phrases gets: a person reads it."""

    level: LevelField
    label: Text
    reason: Text

    @model_validator(mode="after")
    def _someone_reads_it(self) -> FreeText:
        if self.level is Level.EXPECTED:
            raise ValueError("free text that matches nothing is read by a person; not 'expected'")
        return self


class Triage(Cited):
    advice: dict[LevelField, Text]
    # Told with an urgent answer when no on-call contact of the clinic covers the moment.
    out_of_hours: Text | None = None
    free_text: FreeText

    @model_validator(mode="after")
    def _advice_for_every_level(self) -> Triage:
        missing = set(Level) - set(self.advice)
        if missing:
            raise ValueError(f"advice is missing for {sorted(missing)}")
        return self


# --- screening -----------------------------------------------------------------


class Question(Strict):
    id: Id
    kind: Literal["yes_no", "date_or_current", "date", "choice", "text"]
    text: Text
    choices: tuple[Id, ...] = ()

    @model_validator(mode="after")
    def _choices_for_choice(self) -> Question:
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError("a 'choice' question, and only that, lists choices")
        return self


class Trigger(Strict):
    """When a screening rule fires: an answer equals a value, or a date is recent.

    A recent date is "within" ``within_days``; a leaflet's "3 months" or "last year" also
    gives ``within_months`` or ``within_years``, and the later of the two ends wins, so
    the calendar never shortens the day count and the day count never shortens a month.
    """

    question: Id
    equals: bool | str | None = None
    one_of: tuple[str, ...] = ()
    within_days: Annotated[int, Field(ge=1, le=3660)] | None = None
    within_months: Annotated[int, Field(ge=1, le=120)] | None = None
    within_years: Annotated[int, Field(ge=1, le=10)] | None = None
    answered: bool = False

    @model_validator(mode="after")
    def _one_test(self) -> Trigger:
        tests = (
            self.equals is not None,
            bool(self.one_of),
            self.within_days is not None,
            self.answered,
        )
        if sum(tests) != 1:
            raise ValueError("a trigger tests one thing: equals, one_of, within_days or answered")
        calendar = (self.within_months is not None) + (self.within_years is not None)
        if calendar and self.within_days is None:
            raise ValueError("within_months or within_years goes with within_days")
        if calendar > 1:
            raise ValueError("a trigger gives within_months or within_years, not both")
        return self


class Caution(Strict):
    id: Id
    text: Text


class Recheck(Strict):
    id: Id
    text: Text


class ScreeningRule(Cited):
    id: RuleId
    trigger: Trigger
    outcome: OutcomeField
    recheck: Id | None = None
    cautions: tuple[Id, ...] = ()
    text: Text

    @model_validator(mode="after")
    def _outcome_fits(self) -> ScreeningRule:
        dated = self.trigger.within_days is not None
        if dated and self.outcome is not ScreeningOutcome.NOT_YET:
            raise ValueError("a within_days trigger belongs to a 'not_yet' rule")
        # Without a date, "not yet" must say what to wait for (a sunburn to heal).
        waits = self.outcome is ScreeningOutcome.NOT_SUITABLE or (
            self.outcome is ScreeningOutcome.NOT_YET and not dated
        )
        if waits != (self.recheck is not None):
            raise ValueError(
                "a 'not_suitable' rule, or a 'not_yet' rule without a date, says when to "
                "recheck; no other rule does"
            )
        if self.outcome is ScreeningOutcome.CAUTION and not self.cautions:
            raise ValueError("a 'caution' rule names its cautions")
        return self


class Screening(Strict):
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]
    # What people write in a free-text question to mean "nothing" ("none", "n/a"); compared
    # case-blind, ignoring spaces and a closing full stop.
    none_answers: tuple[Annotated[str, Field(min_length=1, max_length=40)], ...] = ()
    rules: Annotated[tuple[ScreeningRule, ...], Field(min_length=1)]
    cautions: tuple[Caution, ...]
    rechecks: tuple[Recheck, ...]


# --- course, information, conflicts --------------------------------------------


class Course(Cited):
    min_sessions: Annotated[int, Field(ge=1, le=20)]
    max_sessions: Annotated[int, Field(ge=1, le=20)]
    default_sessions: Annotated[int, Field(ge=1, le=20)]
    # The fewest sessions a patient's course may be planned with (up to max_sessions); a
    # course may still end sooner, but is not planned shorter.
    planned_min_sessions: Annotated[int, Field(ge=1, le=20)] | None = None
    min_gap_days: Annotated[int, Field(ge=1, le=365)]
    max_gap_days: Annotated[int, Field(ge=1, le=365)]
    maintenance_min_months: Annotated[int, Field(ge=1, le=60)]
    maintenance_max_months: Annotated[int, Field(ge=1, le=60)]
    text: Text

    @model_validator(mode="after")
    def _ranges(self) -> Course:
        if not self.min_sessions <= self.default_sessions <= self.max_sessions:
            raise ValueError("default_sessions must lie between min_sessions and max_sessions")
        fewest = self.planned_min_sessions
        if fewest is not None and not self.min_sessions <= fewest <= self.default_sessions:
            raise ValueError(
                "planned_min_sessions must lie between min_sessions and default_sessions"
            )
        if self.min_gap_days > self.max_gap_days:
            raise ValueError("min_gap_days cannot exceed max_gap_days")
        if self.maintenance_min_months > self.maintenance_max_months:
            raise ValueError("maintenance_min_months cannot exceed maintenance_max_months")
        return self

    @property
    def plannable_sessions(self) -> range:
        """The course lengths a patient's course may be planned with."""
        return range(self.planned_min_sessions or self.min_sessions, self.max_sessions + 1)


class Information(Cited):
    id: RuleId
    topic: Literal["results", "procedure", "recovery", "course"]
    text: Text


class ConflictStatement(Strict):
    leaflet: str | None = None
    literature: Text | None = None
    says: Text


class Conflict(Strict):
    id: Annotated[str, Field(pattern=r"^C\d+$")]
    topic: Text
    statements: Annotated[tuple[ConflictStatement, ...], Field(min_length=2)]
    outcome: Text
    rule: Text


# --- reminders -----------------------------------------------------------------


def _wall_time(text: str) -> str:
    try:
        time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a time of day; use HH:MM, from 00:00 to 23:59") from None
    if len(text) != len("00:00"):
        raise ValueError(f"'{text}' is not a time of day; use HH:MM, from 00:00 to 23:59")
    return text


WallTime = Annotated[str, AfterValidator(_wall_time)]
ReminderDay = Annotated[int, Field(ge=1, le=366)]

# The values the engine renders into a message's text, by kind ("SPF {spf} or higher").
REMINDER_PLACEHOLDERS: dict[ReminderKind, frozenset[str]] = {
    ReminderKind.WELCOME: frozenset(),
    ReminderKind.CHANGE: frozenset(),
    ReminderKind.SUNSCREEN: frozenset({"spf"}),
    ReminderKind.CHECK_IN: frozenset(),
    ReminderKind.NEXT_SESSION: frozenset({"earliest", "latest"}),
    ReminderKind.MAINTENANCE: frozenset({"earliest", "latest"}),
}


class ReminderItem(Cited):
    """One entry of the reminder schedule: what to send, on which local days, at what time.

    Days are the patient's local calendar days after the treatment's local date (day 1 is
    the next day); ``at`` is a wall-clock time on the patient's clock. The welcome is sent
    when the treatment ends, so it has no ``at``.

    Items that ``combine`` go out as one message on each local day they fall on, at the
    earliest of their times; an item that is not sent ``alone`` only rides along with the
    others (a sunscreen reminder on a day the plan changes). ``sms_text`` is the shorter
    wording for a text message, so that it fits in two segments.
    """

    id: RuleId
    kind: ReminderKindField
    at: WallTime | None = None
    days: tuple[ReminderDay, ...] = ()
    first_day: ReminderDay | None = None
    last_day: ReminderDay | None = None
    rule: RuleId | None = None
    text: Text
    sms_text: Text | None = None
    sms_more_text: Text | None = None
    combine: bool = False
    alone: bool = True
    avoid_ended_text: Text | None = None
    routine_ended_text: Text | None = None

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> ReminderItem:
        kind = self.kind
        if (kind is ReminderKind.WELCOME) != (self.at is None):
            raise ValueError("every reminder but the welcome has a local time 'at'")
        if (kind is ReminderKind.CHECK_IN) != bool(self.days):
            raise ValueError("a 'check_in' reminder, and only that, lists its days")
        if list(self.days) != sorted(set(self.days)):
            raise ValueError("days are listed once each, in rising order")
        if not _all_or_none(
            kind is ReminderKind.SUNSCREEN, self.first_day, self.last_day, self.rule
        ):
            raise ValueError(
                "a 'sunscreen' reminder, and only that, has first_day, last_day and rule"
            )
        if (
            self.first_day is not None
            and self.last_day is not None
            and (self.first_day > self.last_day)
        ):
            raise ValueError("first_day cannot come after last_day")
        ended = (self.avoid_ended_text, self.routine_ended_text)
        if not _all_or_none(kind is ReminderKind.CHANGE, *ended):
            raise ValueError(
                "a 'change' reminder, and only that, has avoid_ended_text and routine_ended_text"
            )
        _check_placeholders(self.text, REMINDER_PLACEHOLDERS[kind])
        _check_placeholders(self.sms_text or "", REMINDER_PLACEHOLDERS[kind])
        _check_placeholders(self.sms_more_text or "", frozenset({"count"}))
        if not self.alone and not self.combine:
            raise ValueError("an item not sent alone must combine with others")
        return self

    @property
    def local_time(self) -> time | None:
        return None if self.at is None else time.fromisoformat(self.at)


def _all_or_none(wanted: bool, *parts: object) -> bool:
    """All of ``parts`` are given when ``wanted``, and none otherwise."""
    given = [part is not None for part in parts]
    return all(given) if wanted else not any(given)


def _check_placeholders(text: str, allowed: frozenset[str]) -> None:
    try:
        names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError:
        raise ValueError("a brace in text is not a placeholder; write {{ or }} for one") from None
    unknown = sorted(names - allowed)
    if unknown:
        offered = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
        raise ValueError(f"unknown placeholder '{{{unknown[0]}}}' in text; this kind has {offered}")


# --- asking: "can I …?" as patients type it -------------------------------------

Name = Annotated[str, Field(min_length=1, max_length=60)]
Score = Annotated[int, Field(ge=50, le=100)]


class AskTopic(Cited):
    """A subject patients ask about that the leaflets do not cover, with an honest answer."""

    id: Id
    label: Text
    aliases: tuple[Name, ...] = ()
    text: Text


class AskBack(Strict):
    """Words that could mean more than one activity: the question goes back to the patient."""

    words: Annotated[tuple[Name, ...], Field(min_length=1)]
    activities: Annotated[tuple[Id, ...], Field(min_length=2)]
    text: Text


class TimeWord(Strict):
    """A time phrase ("tomorrow morning") and the local moment it means: a number of days
    ahead or the next given weekday (Monday is 0), at a wall-clock time."""

    words: Annotated[tuple[Name, ...], Field(min_length=1)]
    days_ahead: Annotated[int, Field(ge=0, le=31)] | None = None
    weekday: Annotated[int, Field(ge=0, le=6)] | None = None
    after_today: bool = False
    at: WallTime

    @model_validator(mode="after")
    def _one_day(self) -> TimeWord:
        if (self.days_ahead is None) == (self.weekday is None):
            raise ValueError("a time word gives days_ahead or weekday, not both")
        if self.after_today and self.weekday is None:
            raise ValueError("after_today goes with a weekday")
        return self

    @property
    def local_time(self) -> time:
        return time.fromisoformat(self.at)


class AskPhrases(Strict):
    """The resolver's own words, so that a language is data."""

    not_understood: Text
    ask_back: Text
    or_word: Text
    time_unplaced: Text
    urgent: Text

    @model_validator(mode="after")
    def _placeholders(self) -> AskPhrases:
        _check_placeholders(self.not_understood, frozenset({"question"}))
        _check_placeholders(self.ask_back, frozenset({"options"}))
        _check_placeholders(self.time_unplaced, frozenset({"words"}))
        _check_placeholders(self.urgent, frozenset({"symptoms"}))
        return self


class Asking(Strict):
    """How free-text questions are read: words to skip, spellings to mend, how sure a
    fuzzy match must be to answer (``accept_score``) or to be offered (``suggest_score``)."""

    accept_score: Score
    suggest_score: Score
    filler_words: tuple[Name, ...] = ()
    spellings: dict[str, str] = Field(default_factory=dict)
    ask_back: tuple[AskBack, ...] = ()
    topics: tuple[AskTopic, ...] = ()
    time_words: tuple[TimeWord, ...] = ()
    phrases: AskPhrases

    @model_validator(mode="after")
    def _scores(self) -> Asking:
        if self.suggest_score > self.accept_score:
            raise ValueError("suggest_score cannot be above accept_score")
        return self


# --- overlays ------------------------------------------------------------------


class AppliedChange(Strict):
    """One field a clinic overlay set, which way it moved the protocol, and why."""

    item: Text
    field: Text
    old: bool | int | float | str | None
    new: bool | int | float | str | None
    effect: Literal["tightens", "relaxes", "same"]
    reason: Text | None = None


class OverlayRecord(Strict):
    """The clinic overlay behind an effective protocol (DESIGN §3)."""

    id: OverlayId
    title: Text
    changes: tuple[AppliedChange, ...]


# --- the protocol --------------------------------------------------------------


class Protocol(Strict):
    id: ProtocolId
    title: Text
    language: Literal["en-GB"]
    # Who signed the whole protocol off for use with patients (name, role, date); None
    # while it needs clinical sign-off.
    signed_off_by: Text | None = None
    horizon_hours: Hours
    # The seed leaflets, cited by file name; a protocol written from other sources (public
    # clinic pages, cited as literature with their address) may list none.
    leaflets: tuple[Leaflet, ...]
    areas: Annotated[tuple[Area, ...], Field(min_length=1)]
    default_area: Id
    skin_states: tuple[SkinState, ...]
    requirements: tuple[Requirement, ...]
    modifiers: tuple[Modifier, ...]
    activities: Annotated[tuple[Activity, ...], Field(min_length=1)]
    aftercare: Annotated[tuple[ActivityRule, ...], Field(min_length=1)]
    timeline_groups: Annotated[tuple[TimelineGroup, ...], Field(min_length=1)]
    symptoms: Annotated[tuple[Symptom, ...], Field(min_length=1)]
    triage: Triage
    screening: Screening
    course: Course
    information: tuple[Information, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    reminders: tuple[ReminderItem, ...] = ()
    asking: Asking | None = None
    overlay: OverlayRecord | None = None

    @cached_property
    def index(self) -> ProtocolIndex:
        """Lookups the engine needs, built once per loaded protocol."""
        # Imported here: the index reads these models.
        from aftercare.protocols.index import ProtocolIndex

        return ProtocolIndex(self)

    @cached_property
    def version(self) -> str:
        """A hash of the content, overlay included: any change gives a new version."""
        data = self.model_dump(mode="json")
        if data["signed_off_by"] is None:
            # A protocol not signed off hashes as it did before sign-off was recorded, so
            # the versions stored with earlier plans still name it.
            del data["signed_off_by"]
        return content_version(data)

    @cached_property
    def effective_id(self) -> str:
        """The protocol's id, joined with the clinic overlay's when one is applied."""
        return self.id if self.overlay is None else f"{self.id}+{self.overlay.id}"
