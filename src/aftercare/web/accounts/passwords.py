"""Staff passwords: change one's own (giving the current one), or reset a forgotten one by
email, with Django's views on the project's clock, wording and email settings.

Asking for a reset answers the same whether or not the address is known, and is limited
per address and per client as asking for a patient link is.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm
from django.http import HttpResponse
from django.urls import reverse_lazy

from aftercare.web import audit, clock, ratelimit
from aftercare.web.access import StaffRequest, StaffView, staff_required
from aftercare.web.accounts.tokens import reset_tokens
from aftercare.web.addresses import client_address

__all__ = ["password_change", "reset_complete", "reset_confirm", "reset_request", "reset_sent"]

TOO_MANY = "Too many requests, try again in an hour."


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "aftercare/accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "nav": "account"}

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        request: StaffRequest = self.request  # type: ignore[assignment]
        audit.record(request, "account.password_change", clinic=request.staff.clinic)
        messages.success(request, "Your password is changed.")
        return response


class ResetRequest(auth_views.PasswordResetView):
    template_name = "aftercare/accounts/reset_request.html"
    subject_template_name = "aftercare/accounts/reset_subject.txt"
    email_template_name = "aftercare/accounts/reset_email.txt"
    success_url = reverse_lazy("accounts:reset_sent")
    token_generator = reset_tokens

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].lower()
        if not ratelimit.admit(
            f"password-reset:{email}", client_address(self.request), clock.now()
        ):
            return HttpResponse(TOO_MANY, status=429, content_type="text/plain; charset=utf-8")
        self.extra_email_context = {"base_url": settings.BASE_URL}
        return super().form_valid(form)


class ResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "aftercare/accounts/reset_confirm.html"
    success_url = reverse_lazy("accounts:reset_complete")
    token_generator = reset_tokens


password_change = staff_required(cast(StaffView[[]], PasswordChange.as_view()))
reset_request = ResetRequest.as_view()
reset_sent = auth_views.PasswordResetDoneView.as_view(
    template_name="aftercare/accounts/reset_sent.html"
)
reset_confirm = ResetConfirm.as_view()
reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="aftercare/accounts/reset_complete.html"
)
