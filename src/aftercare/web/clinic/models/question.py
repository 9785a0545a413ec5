from __future__ import annotations

from django.db import models

from aftercare.web.clinic.models.patient import Patient
from aftercare.web.clinic.models.staff import StaffMember
from aftercare.web.clinic.models.treatment import Treatment

__all__ = ["PatientQuestion", "QuestionStatus"]


class QuestionStatus(models.TextChoices):
    # Kept so staff can teach the protocol new words; nobody is waiting for an answer.
    NOT_UNDERSTOOD = "not_understood", "Not understood by the portal"
    WAITING = "waiting", "Waiting for an answer"
    ANSWERED = "answered", "Answered"


class PatientQuestion(models.Model):
    """A question a patient typed: one the portal could not answer, or one they sent to
    the clinic, with the staff answer and how it was sent."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="questions")
    treatment = models.ForeignKey(
        Treatment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    # What the portal's resolver made of it when asked (aftercare.engine.ask.AskOutcome).
    outcome = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=QuestionStatus.choices)
    asked_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # How the answer went out: the channel's name, or why it could not be sent.
    delivery = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-asked_at", "-pk")
        indexes = (
            # The staff dashboard: a clinic's questions by status, oldest waiting first.
            models.Index(fields=["status", "asked_at"], name="question_inbox"),
        )

    def __str__(self) -> str:
        return f"{self.patient}: {self.get_status_display()}"
