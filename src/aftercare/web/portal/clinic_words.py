"""The portal's sentences around the clinic's name and numbers ("Call Skin Clinic on 0161
496 0000"), from the phrase table: built once per page, so templates only print them."""

from __future__ import annotations

from dataclasses import dataclass

from aftercare.protocols.phrasebook import DEFAULT_LANGUAGE, phrases_for
from aftercare.web.care.current import Care
from aftercare.web.clinic.models import Channel, Clinic

__all__ = ["ClinicWords", "StopWords", "channel_words", "clinic_words", "link_sent", "stop_words"]


@dataclass(frozen=True, slots=True)
class ClinicWords:
    call_on: str
    call: str
    call_now: str
    tell_when_safe: str
    told: str
    send_question: str
    questions_to: str


def clinic_words(clinic: Clinic, care: Care | None = None) -> ClinicWords:
    """In the language of the patient's current protocol (the table's default without one)."""
    language = care.protocol.language if care else DEFAULT_LANGUAGE
    words, name = phrases_for(language).portal, clinic.name
    return ClinicWords(
        call_on=words.call_on.format(clinic=name, phone=clinic.phone),
        call=words.call.format(clinic=name, phone=clinic.phone),
        call_now=words.call_now.format(clinic=name, phone=clinic.urgent_phone),
        tell_when_safe=words.tell_when_safe.format(clinic=name, phone=clinic.urgent_phone),
        told=words.told.format(clinic=name),
        send_question=words.send_question.format(clinic=name),
        questions_to=words.questions_to.format(clinic=name),
    )


@dataclass(frozen=True, slots=True)
class StopWords:
    """Stopping one channel's messages: 'Stop emails from Skin Clinic?', what it means,
    the button 'Stop emails'; once done 'Emails stopped', 'Skin Clinic will send you no
    more emails' and that the waiting ones are cancelled."""

    title: str
    explained: str
    stop: str
    stopped_title: str
    stopped: str
    cancelled: str


def channel_words(channel: Channel, language: str = DEFAULT_LANGUAGE) -> str:
    """'emails' or 'text messages'."""
    words = phrases_for(language).portal
    return words.emails if channel is Channel.EMAIL else words.texts


def stop_words(clinic: Clinic, channel: Channel, language: str = DEFAULT_LANGUAGE) -> StopWords:
    words, messages = phrases_for(language).portal, channel_words(channel, language)
    stopped_title = words.stopped_title.format(messages=messages)
    return StopWords(
        title=words.stop_title.format(messages=messages, clinic=clinic.name),
        explained=words.stop_explained.format(messages=messages, clinic=clinic.name),
        stop=words.stop.format(messages=messages),
        # The channel's words sit mid-sentence elsewhere; a title starts with a capital.
        stopped_title=stopped_title[:1].upper() + stopped_title[1:],
        stopped=words.stopped.format(messages=messages, clinic=clinic.name),
        cancelled=words.cancelled.format(messages=messages),
    )


def link_sent(clinic: Clinic, language: str = DEFAULT_LANGUAGE) -> str:
    """'Skin Clinic has sent you a link to your aftercare plan.'"""
    return phrases_for(language).portal.link_sent.format(clinic=clinic.name)
