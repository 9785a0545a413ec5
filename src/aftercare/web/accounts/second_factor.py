"""Two-factor pages: the account page, setting up an authenticator app, giving a code at
sign-in, new recovery codes, and turning it off where the clinic does not require it."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticToken

from aftercare.web import audit, two_factor
from aftercare.web.access import StaffRequest, staff_required, staff_signing_in

__all__ = ["account", "keep_alive", "recovery_codes", "setup", "turn_off", "verify"]

NO_MATCH = "That code did not match. Check the time on your phone and try again."


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def code_typed(self) -> str:
        return "".join(self.cleaned_data["code"].split())


@staff_required
def account(request: StaffRequest) -> HttpResponse:
    user = request.staff.user
    context = {
        "nav": "account",
        "has_second_factor": two_factor.has_second_factor(user),
        "required": two_factor.is_required(request.staff),
        "codes_left": StaticToken.objects.filter(device__user_id=user.pk).count(),
    }
    return render(request, "aftercare/accounts/account.html", context)


@staff_signing_in
def setup(request: StaffRequest) -> HttpResponse:
    user = request.staff.user
    if two_factor.has_second_factor(user):
        return redirect("accounts:account")
    device = two_factor.app_device(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if device.verify_token(form.code_typed()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record(request, "account.two_factor_on", clinic=request.staff.clinic)
            return _show_codes(request, two_factor.new_recovery_codes(user))
        form.add_error("code", NO_MATCH)
    qr = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title="QR code to scan with an authenticator app", border=2
    )
    context = {"form": form, "secret": two_factor.secret_of(device), "qr": qr}
    return render(request, "aftercare/accounts/two_factor_setup.html", context)


@staff_signing_in
def verify(request: StaffRequest) -> HttpResponse:
    user = request.staff.user
    if two_factor.is_verified(request) or not two_factor.has_second_factor(user):
        return redirect(_next(request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        device = match_token(user, form.code_typed())
        if device is not None:
            otp_login(request, device)
            audit.record(request, "account.two_factor_sign_in", clinic=request.staff.clinic)
            return redirect(_next(request))
        form.add_error("code", NO_MATCH)
    return render(request, "aftercare/accounts/two_factor_verify.html", {"form": form})


@staff_required
@require_POST
def recovery_codes(request: StaffRequest) -> HttpResponse:
    if not two_factor.has_second_factor(request.staff.user):
        return redirect("accounts:account")
    audit.record(request, "account.recovery_codes", clinic=request.staff.clinic)
    return _show_codes(request, two_factor.new_recovery_codes(request.staff.user))


@staff_required
@require_POST
def turn_off(request: StaffRequest) -> HttpResponse:
    if two_factor.is_required(request.staff):
        messages.error(request, "Your clinic requires two-factor sign-in for you.")
    else:
        two_factor.remove_second_factor(request.staff.user)
        audit.record(request, "account.two_factor_off", clinic=request.staff.clinic)
        messages.success(request, "Two-factor sign-in is off.")
    return redirect("accounts:account")


@staff_required
@require_POST
def keep_alive(request: StaffRequest) -> HttpResponse:
    """ "Stay signed in": reaching here has already counted as activity."""
    return redirect(_next(request))


def _show_codes(request: StaffRequest, codes: list[str]) -> HttpResponse:
    context = {"nav": "account", "codes": codes, "next": _next(request)}
    return render(request, "aftercare/accounts/recovery_codes.html", context)


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return "/clinic/"
