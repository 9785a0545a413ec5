"""The portal's sentences around values, mostly the clinic's name and numbers ("Call Skin
Clinic on 0161 496 0000"), from the phrase table: built once per page, so templates only
print them."""

from __future__ import annotations

from dataclasses import dataclass

from aftercare.protocols.phrasebook import DEFAULT_LANGUAGE, phrases_for
from aftercare.web.care.current import Care
from aftercare.web.clinic.models import Channel, Clinic, Patient

__all__ = [
    "CHANNELS",
    "ClinicWords",
    "MessageSwitch",
    "StopWords",
    "channel_words",
    "clinic_words",
    "link_sent",
    "message_switch",
    "question_sent",
    "stop_words",
    "switched",
    "you_wrote",
]

# The channels a patient can switch off and on again.
CHANNELS = (Channel.EMAIL, Channel.SMS)


@dataclass(frozen=True, slots=True)
class ClinicWords:
    call_on: str
    call: str
    call_now: str
    tell_when_safe: str
    told: str
    send_question: str
    questions_to: str
    answer_from: str


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
        answer_from=words.answer_from.format(clinic=name),
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


def question_sent(clinic: Clinic, to_patient: bool, language: str = DEFAULT_LANGUAGE) -> str:
    """'Sent to Skin Clinic. Their answer will show on this page', with ' and be sent to
    you' for a patient who gets messages (``to_patient``)."""
    words = phrases_for(language).portal
    phrase = words.question_sent_to_you if to_patient else words.question_sent
    return phrase.format(clinic=clinic.name)


def you_wrote(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """'You wrote: “…”': a check-in's own words, quoted back; "" for none."""
    return phrases_for(language).portal.you_wrote.format(text=text) if text else ""


@dataclass(frozen=True, slots=True)
class MessageSwitch:
    """Today's switch for the patient's messages: 'Messages from Skin Clinic' over either
    'We send you reminders by email.' and the button 'Stop emails', or, once stopped,
    'You asked us to stop emails.' and 'Send me emails again'. ``channel`` is "" when the
    clinic sends the patient no messages (and ``status`` and ``button`` are "")."""

    heading: str
    channel: str = ""
    stopped: bool = False
    status: str = ""
    button: str = ""


def message_switch(patient: Patient, language: str = DEFAULT_LANGUAGE) -> MessageSwitch:
    words = phrases_for(language).portal
    heading = words.messages_from.format(clinic=patient.clinic.name)
    if not patient.consent_to_messages or patient.preferred_channel not in CHANNELS:
        return MessageSwitch(heading)
    channel = Channel(patient.preferred_channel)
    messages = channel_words(channel, language)
    if getattr(patient, f"{channel}_opted_out_at") is not None:
        status = words.asked_to_stop.format(messages=messages)
        return MessageSwitch(
            heading, channel, True, status, words.send_again.format(messages=messages)
        )
    one = words.email if channel is Channel.EMAIL else words.text
    status = words.reminders_by.format(channel=one)
    return MessageSwitch(heading, channel, False, status, words.stop.format(messages=messages))


def switched(channel: Channel, on: bool, language: str = DEFAULT_LANGUAGE) -> str:
    """The banner once the switch is used: 'We will send you emails again.' (``on``) or
    'We will not send you emails.'."""
    words = phrases_for(language).portal
    phrase = words.sending_again if on else words.not_sending
    return phrase.format(messages=channel_words(channel, language))
