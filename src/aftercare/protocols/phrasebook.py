"""Interface phrases, one table per language: the words that place the protocol's own.

Clinical content lives in the protocol; the words around it ("day 3", "straight away",
"Until Sat 5 Dec, 10:30: …", weekday and month names) live in ``phrases/<language>.yaml``,
keyed by the protocol's ``language``, so a translation is a data file. Each table is read
once and checked here: a missing key, an unknown one, or a phrase whose {placeholders} are
not the ones the renderer fills is refused when the table loads, never when a page shows it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationError

from aftercare.protocols.cache import cached, content_key
from aftercare.protocols.page_phrases import LeafletPhrases, MessagePhrases, PortalPhrases
from aftercare.protocols.phrase_table import Table, fills_of

__all__ = [
    "DEFAULT_LANGUAGE",
    "Language",
    "PhraseError",
    "Phrases",
    "languages",
    "phrases_for",
    "read_phrases",
]

DEFAULT_LANGUAGE = "en-GB"
_FOLDER = "phrases"


class PhraseError(ValueError):
    """A phrase table that is missing, or does not hold every phrase as the renderer needs it."""


class Plural(Table):
    """One phrase for a count of one, another for every other count."""

    one: str
    other: str

    def of(self, count: int, **values: object) -> str:
        return (self.one if count == 1 else self.other).format(**values)


class DaysWithHours(Plural):
    fills = fills_of(one="days hours", other="days hours")


class HourCount(Plural):
    fills = fills_of(one="hours", other="hours")


class LateAfter(Plural):
    fills = fills_of(one="day days", other="day days")


class Offsets(Table):
    never: str
    avoid: str
    allowed_now: str
    allowed_from: str
    do_from_start: str
    do: str
    fills = fills_of(
        never="",
        avoid="duration",
        allowed_now="",
        allowed_from="duration",
        do_from_start="until",
        do="duration until",
    )


class EntryPhrases(Table):
    always: str
    until: str
    after_that: str
    now: str
    from_: str = Field(alias="from")
    with_gate: str
    starts: str
    label_with_gate: str
    only_when: str
    min_spf: str
    until_then: str
    fills = fills_of(
        always="words",
        until="moment words",
        after_that="words then",
        now="",
        from_="moment",
        with_gate="start gate",
        starts="start words",
        label_with_gate="label gate",
        only_when="gate",
        min_spf="spf",
        until_then="words",
    )


class PlanPhrases(Table):
    title: str
    protocol: str
    ended: str
    intro: str
    changes: str
    change: str
    allowed: str
    routine_ends: str
    fills = fills_of(
        title="moment zone",
        protocol="id version",
        ended="moment zone",
        intro="procedure day zone",
        changes="",
        change="day moment",
        allowed="labels",
        routine_ends="labels",
    )


class ChangePhrases(Table):
    """The bold heading before what a moment of the plan allows, or which routines it ends
    ({when}: the time of day, or the time with its day, '19:00 (day 2)'), before the daily
    routines, and before what a later moment allows."""

    allowed_from: str
    allowed_since: str
    routine_ends: str
    routine_ended: str
    every_day_until: str
    not_yet_from: str
    fills = fills_of(
        allowed_from="when",
        allowed_since="when",
        routine_ends="when",
        routine_ended="when",
        every_day_until="moment",
        not_yet_from="moment",
    )


class Verdicts(Table):
    allowed: str
    allowed_if: str
    not_yet: str
    required: str
    never: str
    fills = fills_of(allowed="", allowed_if="", not_yet="", required="", never="")


class CheckPhrases(Table):
    verdict_with_gate: str
    headline: str
    headline_from: str
    headline_blocked: str
    subject_on: str
    from_: str = Field(alias="from")
    since: str
    keep_until: str
    why: str
    leaflets_differ: str
    and_word: str
    fills = fills_of(
        verdict_with_gate="verdict gate",
        headline="subject verdict",
        headline_from="subject verdict when",
        headline_blocked="subject verdict blocking",
        subject_on="subject moment",
        from_="when",
        since="when",
        keep_until="when",
        why="reason",
        leaflets_differ="note",
        and_word="",
    )


class ClockChanges(Table):
    repeated: str
    skipped: str
    fills = fills_of(repeated="time zone", skipped="time zone")


class CalendarPhrases(Table):
    name: str
    unnamed: str
    from_: str = Field(alias="from")
    more: str
    item_separator: str
    check_in: str
    next_session: str
    maintenance: str
    fills = fills_of(
        name="name",
        unnamed="",
        from_="day items",
        more="count",
        item_separator="",
        check_in="",
        next_session="",
        maintenance="",
    )


class ReminderPhrases(Table):
    change: str
    short_change: str
    short_separator: str
    named: str
    gated: str
    fills = fills_of(
        change="moment words names",
        short_change="time items",
        short_separator="",
        named="words names",
        gated="names gate",
    )


class CoursePhrases(Table):
    too_early: str
    within_window: str
    late: str
    later_than_usual: str
    terms: str
    session_of: str
    procedure_session: str
    next_between: str
    maintenance_due: str
    maintenance_after: str
    late_after: LateAfter
    fills = fills_of(
        too_early="",
        within_window="",
        late="",
        later_than_usual="day",
        session_of="done planned",
        procedure_session="procedure done planned",
        next_between="start end",
        maintenance_due="start end",
        maintenance_after="planned start end",
        terms="min_sessions max_sessions default_sessions min_gap_days max_gap_days"
        " maintenance_min_months maintenance_max_months",
    )


class Phrases(Table):
    """Every interface phrase of one language."""

    weekdays: Annotated[tuple[str, ...], Field(min_length=7, max_length=7)]
    months: Annotated[tuple[str, ...], Field(min_length=12, max_length=12)]
    moment: str
    date: str
    short_date: str
    clock: str
    straight_away: str
    day: str
    hours: str
    day_with_hours: str
    day_heading: str
    day_of: str
    moment_with_day: str
    after_treatment: str
    treated_on: str
    span: str
    days_with_hours: DaysWithHours
    hour_count: HourCount
    offsets: Offsets
    entry: EntryPhrases
    plan: PlanPhrases
    changes: ChangePhrases
    verdicts: Verdicts
    check: CheckPhrases
    clock_changes: ClockChanges
    calendar: CalendarPhrases
    reminders: ReminderPhrases
    course: CoursePhrases
    portal: PortalPhrases
    leaflet: LeafletPhrases
    messages: MessagePhrases
    fills = fills_of(
        moment="weekday day month time",
        date="weekday day month year",
        short_date="weekday day month",
        clock="hour minute",
        straight_away="",
        day="day",
        hours="hours",
        day_with_hours="day hours",
        day_heading="day",
        day_of="day days",
        moment_with_day="moment when",
        after_treatment="day",
        treated_on="day",
        span="start end",
    )


def read_phrases(text: str, language: str) -> Phrases:
    """The phrase table in ``text`` (YAML), checked; a PhraseError names what is wrong."""
    # Imported here: a command whose table is cached never reads YAML.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe", pure=True).load(text)
        return Phrases.model_validate(data, strict=False)
    except YAMLError as error:
        raise PhraseError(f"phrases for {language}: not YAML: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = f"phrases for {language}: {first['msg'].removeprefix('Value error, ')}"
        raise PhraseError(f"{message} @ {where}" if where else message) from None


@cache
def languages() -> frozenset[str]:
    """The languages a phrase table is shipped for."""
    folder = resources.files(__package__).joinpath(_FOLDER)
    return frozenset(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


@cache
def phrases_for(language: str) -> Phrases:
    """The phrase table of ``language``, read and checked once (and cached, checked again
    when read back, like a protocol)."""
    _check_language(language)
    raw = resources.files(__package__).joinpath(_FOLDER, f"{language}.yaml").read_bytes()
    return cached(
        "phrases", content_key(raw), Phrases, lambda: read_phrases(raw.decode("utf-8"), language)
    )


def _check_language(language: str) -> str:
    if language not in languages():
        known = ", ".join(sorted(languages()))
        raise PhraseError(f"no phrases for language '{language}'; phrase tables exist for {known}")
    return language


# The protocol's ``language``: one a phrase table is shipped for.
Language = Annotated[str, AfterValidator(_check_language)]
