"""A patient's data as a whole: download everything held (any staff member), and, for a
clinic administrator, the legal hold and erasure.

Erasure is confirmed twice: the administrator types the patient's full name and ticks
that it cannot be undone, and gives a reason that the register keeps.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from aftercare.web import audit, clock
from aftercare.web.access import StaffRequest, admin_required, scoped, staff_required
from aftercare.web.care.export_subject import attachment
from aftercare.web.clinic.models import Patient
from aftercare.web.erasure import erase_patient
from aftercare.web.subject_access import subject_access_zip

__all__ = ["ErasureForm", "legal_hold", "patient_erase", "subject_access"]

SAFE_METHODS = ("GET", "HEAD")


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label="Why is this patient being erased?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Kept in the clinic's register of erasures, with your name and the time.",
    )
    confirm_name = forms.CharField(label="Type the patient's full name to confirm", max_length=201)
    understood = forms.BooleanField(
        label="I understand that this deletes the patient's records for good",
        required=True,
    )

    def __init__(self, patient: Patient, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for the erasure.")
        return reason

    def clean_confirm_name(self) -> str:
        typed: str = self.cleaned_data["confirm_name"]
        if " ".join(typed.split()).casefold() != str(self.patient).casefold():
            raise forms.ValidationError("That is not the patient's full name as recorded.")
        return typed


def _patient(request: StaffRequest, pk: int, action: str) -> Patient:
    clinic = request.staff.clinic
    patients = Patient.objects.filter(clinic=clinic).select_related("clinic")
    return scoped(request, patients, pk, clinic=clinic, action=action)


@admin_required
def patient_erase(request: StaffRequest, pk: int) -> HttpResponse:
    action = "patient.erase" if request.method == "POST" else "patient.view"
    patient = _patient(request, pk, action)
    form = ErasureForm(patient, request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = str(patient)
        erasure = erase_patient(request, patient, form.cleaned_data["reason"], clock.now())
        messages.success(request, f"{name} has been erased (erasure reference {erasure.pk}).")
        return redirect("staff:patients")
    if request.method != "POST":
        audit.record(request, "patient.view", clinic=patient.clinic, patient=patient, obj=patient)
    status = 400 if form.is_bound else 200
    context = {"nav": "patients", "patient": patient, "form": form}
    return render(request, "aftercare/staff/patient_erase.html", context, status=status)


@admin_required
def legal_hold(request: StaffRequest, pk: int) -> HttpResponse:
    # Scoped first: another clinic's patient is a 404 whatever the method.
    patient = _patient(request, pk, "patient.hold")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    hold = request.POST.get("hold") == "on"
    if patient.legal_hold != hold:
        patient.legal_hold = hold
        patient.save(update_fields=["legal_hold"])
        action = "patient.hold" if hold else "patient.release"
        audit.record(request, action, clinic=patient.clinic, patient=patient, obj=patient)
    word = "is on legal hold" if hold else "is no longer on legal hold"
    messages.success(request, f"{patient} {word}.")
    return redirect("staff:patient", pk=patient.pk)


@staff_required
def subject_access(request: StaffRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk, "export.subject_access")
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    audit.record(
        request, "export.subject_access", clinic=patient.clinic, patient=patient, obj=patient
    )
    data = subject_access_zip(patient, clock.now())
    return attachment(data, "application/zip", f"aftercare-patient-{patient.pk}-everything.zip")
