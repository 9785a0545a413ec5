"""The phrase table's sections of sentences that pages, the leaflet and messages set
around values (a clinic's name, its numbers), beside the words around the protocol's own
in ``phrasebook``; loaded and checked with the rest of the table."""

from __future__ import annotations

from aftercare.protocols.phrase_table import Table, fills_of

__all__ = ["LeafletPhrases", "MessagePhrases", "PortalPhrases"]


class PortalPhrases(Table):
    """The portal's sentences around the clinic's name and numbers."""

    call_on: str
    call: str
    call_now: str
    tell_when_safe: str
    told: str
    link_sent: str
    send_question: str
    questions_to: str
    emails: str
    texts: str
    stop_title: str
    stop_explained: str
    stop: str
    stopped: str
    stopped_title: str
    cancelled: str
    email: str
    text: str
    messages_from: str
    reminders_by: str
    asked_to_stop: str
    send_again: str
    not_sending: str
    sending_again: str
    question_sent_to_you: str
    question_sent: str
    answer_from: str
    you_wrote: str
    fills = fills_of(
        call_on="clinic phone",
        call="clinic phone",
        call_now="clinic phone",
        tell_when_safe="clinic phone",
        told="clinic",
        link_sent="clinic",
        send_question="clinic",
        questions_to="clinic",
        emails="",
        texts="",
        stop_title="messages clinic",
        stop_explained="messages clinic",
        stop="messages",
        stopped="messages clinic",
        stopped_title="messages",
        cancelled="messages",
        email="",
        text="",
        messages_from="clinic",
        reminders_by="channel",
        asked_to_stop="messages",
        send_again="messages",
        not_sending="messages",
        sending_again="messages",
        question_sent_to_you="clinic",
        question_sent="clinic",
        answer_from="clinic",
        you_wrote="text",
    )


class LeafletPhrases(Table):
    """The treatment leaflet's sentences; {symptom} in ``worsening`` and ``severe`` is the
    protocol's label of a symptom, set in bold."""

    for_patient: str
    for_anyone: str
    call_now: str
    telephone: str
    telephone_or_email: str
    worsening: str
    severe: str
    session: str
    next_window: str
    maintenance: str
    title: str
    clinic_title: str
    header: str
    header_with_email: str
    staff_footer: str
    staff_footer_changed: str
    page: str
    fills = fills_of(
        for_patient="name moment zone",
        for_anyone="moment zone",
        call_now="clinic phone",
        telephone="phone",
        telephone_or_email="phone email",
        worsening="symptom",
        severe="symptom",
        session="session planned",
        next_window="start end",
        maintenance="start end",
        title="clinic",
        clinic_title="title clinic",
        header="clinic phone",
        header_with_email="clinic phone email",
        staff_footer="protocol version",
        staff_footer_changed="protocol version changes",
        page="page pages",
    )


class MessagePhrases(Table):
    """A message's greeting and sign-off (a text's greeting, ``greeting_text``, counts
    towards its segments), and an email's subject."""

    greeting_email: str
    greeting_text: str
    greeting_link: str
    link_ready: str
    answer_greeting: str
    questions: str
    plan_link: str
    stop_link: str
    subject: str
    subject_link: str
    subject_answer: str
    fills = fills_of(
        greeting_email="name clinic",
        greeting_text="name clinic",
        greeting_link="name",
        link_ready="clinic",
        answer_greeting="name clinic question",
        questions="phone",
        plan_link="url",
        stop_link="url",
        subject="clinic",
        subject_link="clinic",
        subject_answer="clinic",
    )
