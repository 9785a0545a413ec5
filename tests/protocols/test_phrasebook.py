"""The phrase tables, checked when they load: a missing key, an unknown one, or a phrase
whose {placeholders} are not the ones the renderer fills is refused then, with its path;
what the phrases say is pinned in ``tests/engine/test_explain.py``."""

from __future__ import annotations

from importlib import resources

import pytest

from aftercare.protocols.phrasebook import (
    PhraseError,
    Phrases,
    languages,
    phrases_for,
    read_phrases,
)

_EN_GB = resources.files("aftercare.protocols").joinpath("phrases", "en-GB.yaml").read_text()


def test_every_shipped_table_loads() -> None:
    assert "en-GB" in languages()
    assert all(isinstance(phrases_for(language), Phrases) for language in languages())


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '  title: "Aftercare plan: treatment ended {moment} ({zone})"\n',
            "",
            "phrases for xx: Field required @ plan.title",
        ),
        ("straight_away: straight away\n", "", "phrases for xx: Field required @ straight_away"),
        (
            "day: day {day}\n",
            "day: day {days}\n",
            "phrases for xx: phrase 'day' must use {day}",
        ),
        (
            '  change: "Day {day}, {moment}"\n',
            '  change: "Day {day}:"\n',
            "phrases for xx: phrase 'change' must use {day}, {moment} @ plan",
        ),
        (
            '  allowed_since: "Since {when} you can:"\n',
            "",
            "phrases for xx: Field required @ changes.allowed_since",
        ),
        (
            '  routine_ends: "From {when} you can stop the daily routine for:"\n',
            '  routine_ends: "From {time} you can stop the daily routine for:"\n',
            "phrases for xx: phrase 'routine_ends' must use {when} @ changes",
        ),
        (
            'after_treatment: "{day} after treatment"\n',
            'after_treatment: "after treatment"\n',
            "phrases for xx: phrase 'after_treatment' must use {day}",
        ),
        (
            "  ended: Treatment ended {moment} ({zone}).\n",
            "  ended: Treatment ended {moment}.\n",
            "phrases for xx: phrase 'ended' must use {moment}, {zone} @ plan",
        ),
        (
            '  every_day_until: "Every day until {moment}:"\n',
            "",
            "phrases for xx: Field required @ changes.every_day_until",
        ),
        (
            "{min_gap_days} to {max_gap_days} days apart",
            "{min_gap_days} days apart",
            "phrases for xx: phrase 'terms' must use {default_sessions}, {maintenance_max_months},"
            " {maintenance_min_months}, {max_gap_days}, {max_sessions}, {min_gap_days},"
            " {min_sessions} @ course",
        ),
        (
            "treated_on: after your treatment on {day}\n",
            "",
            "phrases for xx: Field required @ treated_on",
        ),
        (
            '  routine_ended: "Since {when} you can stop the daily routine for:"\n',
            "",
            "phrases for xx: Field required @ changes.routine_ended",
        ),
        (
            '  not_yet_from: "From {moment}:"\n',
            '  not_yet_from: "From {when}:"\n',
            "phrases for xx: phrase 'not_yet_from' must use {moment} @ changes",
        ),
        (
            '  until_then: "Until then: {words}"\n',
            '  until_then: "Until then:"\n',
            "phrases for xx: phrase 'until_then' must use {words} @ entry",
        ),
        (
            'span: "{start} to {end}"\n',
            'span: "{start} to"\n',
            "phrases for xx: phrase 'span' must use {end}, {start}",
        ),
        (
            "  session_of: Session {done} of {planned}\n",
            "  session_of: Session {done}\n",
            "phrases for xx: phrase 'session_of' must use {done}, {planned} @ course",
        ),
        (
            "Once your course of {planned} sessions",
            "Once your course",
            "phrases for xx: phrase 'maintenance_after' must use {end}, {planned}, {start}"
            " @ course",
        ),
        (
            '  told: "{clinic} has been told about this check-in."\n',
            '  told: "Your clinic has been told about this check-in."\n',
            "phrases for xx: phrase 'told' must use {clinic} @ portal",
        ),
        (
            "  stop_title: Stop {messages} from {clinic}?\n",
            "",
            "phrases for xx: Field required @ portal.stop_title",
        ),
        (
            '  severe: "{symptom}, if severe"\n',
            "  severe: if severe\n",
            "phrases for xx: phrase 'severe' must use {symptom} @ leaflet",
        ),
        (
            "  telephone_or_email: Telephone {phone} or email {email}.\n",
            "  telephone_or_email: Telephone {phone}.\n",
            "phrases for xx: phrase 'telephone_or_email' must use {email}, {phone} @ leaflet",
        ),
        (
            '  greeting_text: "Hi {name}, {clinic} here."\n',
            '  greeting_text: "Hi {name}."\n',
            "phrases for xx: phrase 'greeting_text' must use {clinic}, {name} @ messages",
        ),
        (
            '  questions: "Questions or worries: call {phone}."\n',
            "",
            "phrases for xx: Field required @ messages.questions",
        ),
        (
            '    one: "{day}, {days} day after the session before"\n',
            '    one: "{day}, a day after the session before"\n',
            "phrases for xx: phrase 'one' must use {day}, {days} @ course.late_after",
        ),
        (
            "  reminders_by: We send you reminders by {channel}.\n",
            "",
            "phrases for xx: Field required @ portal.reminders_by",
        ),
        (
            '  you_wrote: "You wrote: “{text}”"\n',
            '  you_wrote: "You wrote: “{free_text}”"\n',
            "phrases for xx: phrase 'you_wrote' must use {text} @ portal",
        ),
        (
            "  question_sent: Sent to {clinic}. Their answer will show on this page.\n",
            "  question_sent: Sent. Their answer will show on this page.\n",
            "phrases for xx: phrase 'question_sent' must use {clinic} @ portal",
        ),
        (
            "    {changes}.\n",
            "    the overlay.\n",
            "phrases for xx: phrase 'staff_footer_changed' must use {changes}, {protocol},"
            " {version} @ leaflet",
        ),
        (
            "  page: Page {page} of {pages}\n",
            "  page: Page {page}\n",
            "phrases for xx: phrase 'page' must use {page}, {pages} @ leaflet",
        ),
        (
            "  not_yet: not yet\n",
            "  not_yet: not yet\n  later: later\n",
            "phrases for xx: Extra inputs are not permitted @ verdicts.later",
        ),
        (
            "weekdays: [Mon, Tue, Wed, Thu, Fri, Sat, Sun]\n",
            "weekdays: [Mon, Tue]\n",
            "phrases for xx: Tuple should have at least 7 items after validation, not 2 @ weekdays",
        ),
    ],
)
def test_it_refuses_a_table_with_a_phrase_missing_or_wrong(
    old: str, new: str, expected: str
) -> None:
    assert old in _EN_GB
    with pytest.raises(PhraseError) as error:
        read_phrases(_EN_GB.replace(old, new, 1), "xx")
    assert str(error.value) == expected


def test_it_refuses_a_language_without_a_table() -> None:
    with pytest.raises(PhraseError) as error:
        phrases_for("fr-FR")
    assert str(error.value) == "no phrases for language 'fr-FR'; phrase tables exist for en-GB"
