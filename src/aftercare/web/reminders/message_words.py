"""The sentences around a message to a patient, from the phrase table: the greeting that
names the clinic, the sign-off, the links after the body, and an email's subject.

The message templates lay these out around the body; a text message's greeting counts
towards its segments, so it is the short one.
"""

from __future__ import annotations

from django.utils.text import Truncator

from aftercare.protocols.phrasebook import DEFAULT_LANGUAGE, phrases_for
from aftercare.web.clinic.models import Channel, Clinic, Patient, PatientQuestion, ReminderKind

__all__ = [
    "answer_greeting",
    "email_subject",
    "greeting",
    "link_greeting",
    "link_ready",
    "plan_link",
    "questions",
    "stop_link",
]

# How much of the patient's question an answer quotes back.
QUOTED_CHARS = 60


def greeting(patient: Patient, channel: str, language: str = DEFAULT_LANGUAGE) -> str:
    """'Hello Alice, this is Alpha Clinic.', or in a text 'Hi Alice, Alpha Clinic here.'."""
    words = phrases_for(language).messages
    phrase = words.greeting_text if channel == Channel.SMS else words.greeting_email
    return phrase.format(name=patient.given_name, clinic=patient.clinic.name)


def link_greeting(patient: Patient, language: str = DEFAULT_LANGUAGE) -> str:
    """'Hello Alice,' on a line of its own, above a link."""
    return phrases_for(language).messages.greeting_link.format(name=patient.given_name)


def link_ready(clinic: Clinic, language: str = DEFAULT_LANGUAGE) -> str:
    """'Your aftercare plan from Alpha Clinic is ready:', before the link."""
    return phrases_for(language).messages.link_ready.format(clinic=clinic.name)


def answer_greeting(question: PatientQuestion, language: str = DEFAULT_LANGUAGE) -> str:
    """'Hello Alice, Alpha Clinic here. You asked: "…"', quoting the question's start."""
    patient = question.patient
    return phrases_for(language).messages.answer_greeting.format(
        name=patient.given_name,
        clinic=patient.clinic.name,
        question=Truncator(question.text).chars(QUOTED_CHARS),
    )


def questions(clinic: Clinic, language: str = DEFAULT_LANGUAGE) -> str:
    """'Questions or worries: call 020 7946 0001.'"""
    return phrases_for(language).messages.questions.format(phone=clinic.phone)


def plan_link(url: str, language: str = DEFAULT_LANGUAGE) -> str:
    return phrases_for(language).messages.plan_link.format(url=url)


def stop_link(url: str, language: str = DEFAULT_LANGUAGE) -> str:
    return phrases_for(language).messages.stop_link.format(url=url)


def email_subject(kind: str, clinic_name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """An email's subject: 'Your aftercare plan from Alpha Clinic' for a link, 'Alpha
    Clinic has answered your question' for an answer, else 'Your aftercare from …'."""
    words = phrases_for(language).messages
    phrase = {
        ReminderKind.LINK.value: words.subject_link,
        ReminderKind.ANSWER.value: words.subject_answer,
    }.get(kind, words.subject)
    return phrase.format(clinic=clinic_name)
