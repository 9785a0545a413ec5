"""The clinic's audit log for its administrators: sentences, filters, and a CSV download.

Filters: who acted (a staff member, or patients, API keys or Aftercare itself), the
patient (by number, so an erased patient's events can still be found), the action, the
outcome, and a range of days on the clinic's clock. The CSV has the same rows as the page
under the same filters, all of them rather than a page, read in chunks of events.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from aftercare.engine.localtime import zone
from aftercare.web import audit
from aftercare.web.access import StaffRequest, admin_required
from aftercare.web.audit_text import ACTIONS, describe
from aftercare.web.care.export_subject import attachment
from aftercare.web.care.summary import local_stamp
from aftercare.web.clinic.models import ActorKind, AuditEvent, Clinic, Outcome, StaffMember
from aftercare.web.csv_export import csv_text

__all__ = ["AuditFilterForm", "audit_csv", "audit_log"]

PAGE_SIZE = 100
CSV_CHUNK = 2000
CSV_HEADER = ("when", "who", "what happened", "patient number", "outcome", "request")
KINDS = {
    "patients": ActorKind.PATIENT,
    "api_keys": ActorKind.API_KEY,
    "system": ActorKind.SYSTEM,
}


def _action_choices() -> list[tuple[str, str]]:
    words = {"patient": "a patient", "patients": "a patient's", "object": "…"}
    named = sorted((text.format(**words), action) for action, text in ACTIONS.items())
    return [("", "Any"), *((action, label.capitalize()) for label, action in named)]


class AuditFilterForm(forms.Form):
    person = forms.ChoiceField(label="Who", required=False)
    patient = forms.IntegerField(label="Patient number", required=False, min_value=1)
    action = forms.ChoiceField(label="What", required=False, choices=_action_choices)
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "Any"), *Outcome.choices]
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, clinic: Clinic, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        staff = StaffMember.objects.filter(clinic=clinic).select_related("user")
        people = sorted(
            (m.user.get_full_name() or m.user.get_username(), f"staff-{m.pk}") for m in staff
        )
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            ("", "Anyone"),
            *((value, name) for name, value in people),
            ("patients", "Patients"),
            ("api_keys", "API keys"),
            ("system", "Aftercare itself"),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The last day comes before the first.")
        return cleaned

    def events(self) -> QuerySet[AuditEvent]:
        """The clinic's events under these filters, newest first."""
        found = AuditEvent.objects.filter(clinic=self.clinic).order_by("-at", "-seq")
        data = self.cleaned_data if self.is_bound else {}
        person = data.get("person") or ""
        if person.startswith("staff-"):
            found = found.filter(actor_kind=ActorKind.STAFF, actor_staff_id=int(person[6:]))
        elif person in KINDS:
            found = found.filter(actor_kind=KINDS[person])
        for name in ("patient", "action", "outcome"):
            if data.get(name):
                found = found.filter(**{"patient_id" if name == "patient" else name: data[name]})
        if data.get("since"):
            found = found.filter(at__gte=self._midnight(data["since"]))
        if data.get("until"):
            found = found.filter(at__lt=self._midnight(data["until"] + timedelta(days=1)))
        return found

    def query(self) -> str:
        """The filters as a query string, for the page links and the CSV link to keep."""
        data = self.cleaned_data if self.is_bound else {}
        return urlencode({name: value for name, value in data.items() if value})

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone(self.clinic.time_zone))


@admin_required
def audit_log(request: StaffRequest) -> HttpResponse:
    clinic = request.staff.clinic
    form = AuditFilterForm(clinic, request.GET or None)
    audit.record(request, "audit.view", clinic=clinic)
    if form.is_bound and not form.is_valid():
        context = {"nav": "audit", "form": form, "page": None, "rows": [], "query": ""}
        return render(request, "aftercare/staff/audit.html", context, status=400)
    page = Paginator(form.events(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "audit",
        "form": form,
        "page": page,
        "rows": describe(clinic, list(page.object_list)),
        "query": form.query(),
    }
    return render(request, "aftercare/staff/audit.html", context)


@admin_required
def audit_csv(request: StaffRequest) -> HttpResponse:
    clinic = request.staff.clinic
    form = AuditFilterForm(clinic, request.GET or None)
    if form.is_bound and not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        message = f"{form.fields[field].label if field in form.fields else field}: {errors[0]}"
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    audit.record(request, "audit.export", clinic=clinic)
    text = "".join(_csv_chunks(clinic, form))
    return attachment(text, "text/csv; charset=utf-8", f"audit-{clinic.slug}.csv")


def _csv_chunks(clinic: Clinic, form: AuditFilterForm) -> Iterator[str]:
    yield csv_text(CSV_HEADER, [])
    events = form.events()
    last: tuple[datetime, int] | None = None
    while True:
        chunk = events if last is None else events.filter(_before(*last))
        batch = list(chunk[:CSV_CHUNK])
        if not batch:
            return
        rows = (
            (
                local_stamp(line.event.at, clinic.time_zone),
                line.actor,
                line.sentence,
                line.event.patient_id or "",
                line.event.get_outcome_display(),
                line.event.request_id,
            )
            for line in describe(clinic, batch)
        )
        yield csv_text(None, rows)
        last = (batch[-1].at, batch[-1].seq)


def _before(at: datetime, seq: int) -> Q:
    """Events after (at, seq) in newest-first order: the next chunk's keyset."""
    return Q(at__lt=at) | Q(at=at, seq__lt=seq)
