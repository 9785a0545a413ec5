"""A patient's question sent to the clinic, for staff to read and answer.

The answer is claimed with a guarded update, so that two staff members answering at once
cannot both send: the second is told it has been answered. The answer goes out through the
reminders outbox; the page says how its sending has gone.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from aftercare.web import audit
from aftercare.web.access import StaffRequest, scoped, staff_required
from aftercare.web.care.questions import answer_delivery, answer_question
from aftercare.web.care.summary import local_moment, staff_name
from aftercare.web.clinic.models import PatientQuestion, QuestionStatus
from aftercare.web.clinic.validators import validate_visible_text

__all__ = ["AnswerForm", "question_detail"]

ALREADY_ANSWERED = "This question has already been answered; the earlier answer is kept."
ANSWER_MAX_LENGTH = 1000


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer (the patient sees it in their portal and gets it as a message)",
        max_length=ANSWER_MAX_LENGTH,
        validators=[validate_visible_text],
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Please write an answer for the patient."},
    )


@staff_required
def question_detail(request: StaffRequest, pk: int) -> HttpResponse:
    clinic = request.staff.clinic
    questions = PatientQuestion.objects.filter(patient__clinic=clinic).select_related(
        "patient", "answered_by__user"
    )
    question = scoped(request, questions, pk, clinic=clinic, action="question.view")
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and question.status != QuestionStatus.WAITING:
        form.add_error(None, ALREADY_ANSWERED)
    elif form.is_valid():
        if answer_question(request, request.staff, question, form.cleaned_data["answer"]):
            question.refresh_from_db()
            messages.success(request, f"Answer to {question.patient} saved. {question.delivery}")
            return redirect("staff:dashboard")
        form.add_error(None, ALREADY_ANSWERED)
        question.refresh_from_db()
    audit.record(request, "question.view", clinic=clinic, patient=question.patient, obj=question)
    context = {
        "nav": "dashboard",
        "question": question,
        "patient": question.patient,
        "asked_when": local_moment(question.asked_at, clinic.time_zone),
        "answered_when": (
            local_moment(question.answered_at, clinic.time_zone) if question.answered_at else ""
        ),
        "answered_by": staff_name(question.answered_by),
        "delivery": answer_delivery(question) if question.answered_at else "",
        "form": form,
    }
    return render(request, "aftercare/staff/question.html", context)
