"""Staff account pages, under /account/."""

from __future__ import annotations

from django.urls import URLPattern, path

from aftercare.web.accounts import passwords, second_factor

urlpatterns: list[URLPattern] = [
    path("", second_factor.account, name="account"),
    path("password", passwords.password_change, name="password_change"),
    path("password-reset", passwords.reset_request, name="reset_request"),
    path("password-reset/sent", passwords.reset_sent, name="reset_sent"),
    path("password-reset/<uidb64>/<token>", passwords.reset_confirm, name="reset_confirm"),
    path("password-reset/done", passwords.reset_complete, name="reset_complete"),
    path("two-factor", second_factor.verify, name="two_factor_verify"),
    path("two-factor/setup", second_factor.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes", second_factor.recovery_codes, name="recovery_codes"),
    path("two-factor/off", second_factor.turn_off, name="two_factor_off"),
    path("keep-alive", second_factor.keep_alive, name="keep_alive"),
]
