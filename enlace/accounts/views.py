"""The staff's own account pages: log in (throttled per address on top of the per-account lock),
the second factor (enrol a phone, give a code, renew the recovery codes), forgotten passwords."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from enlace.accounts import actions
from enlace.accounts.current import current_user
from enlace.accounts.security import confirmed_device, needs_second_factor, recovery_codes_left
from enlace.core import ratelimit
from enlace.core.errors import BusinessError


class LoginView(auth_views.LoginView):
    """Django's login, refused for a while to an address that failed too often (many people
    share one address behind a desk's router, so the limit is high; the account itself is
    locked after a few failures by django-axes)."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused, retry_after = ratelimit.over(request, "login")
        if refused:
            return ratelimit.too_many(request, retry_after, "accounts/throttled.html")
        response = super().post(request, *args, **kwargs)
        if not request.user.is_authenticated:
            ratelimit.hit(request, "login")
        return response


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


def _qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=5, border=2, omitsize=True))


@never_cache
@sensitive_post_parameters("token")
@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponseBase:
    """Enrol a phone: scan the QR code (or type the key) in an authenticator app, then type the
    code it shows; the recovery codes are shown once."""
    user = current_user(request)
    if confirmed_device(user) is not None and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(f"{_url('accounts:second_factor')}?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.do_confirm_enrolment(request, user, form.cleaned_data["token"])
        except BusinessError as error:
            form.add_error("token", str(error))
        else:
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)}
            )
    device = actions.do_start_enrolment(user)
    secret = device.config_url.split("secret=")[1].split("&")[0]
    context = {
        "form": form,
        "qr": _qr_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _next(request),
    }
    return render(
        request, "accounts/second_factor_enrol.html", context, status=400 if form.errors else 200
    )


@never_cache
@sensitive_post_parameters("token")
@login_required
def second_factor(request: HttpRequest) -> HttpResponseBase:
    """Give the second factor for this session: the phone's code, or a recovery code."""
    user = current_user(request)
    if confirmed_device(user) is None:
        return redirect(f"{_url('accounts:second_factor_enrol')}?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_verify_second_factor(request, user, form.cleaned_data["token"])
        except BusinessError as error:
            form.add_error("token", str(error))
        else:
            return redirect(_next(request))
    status = 400 if form.errors else 200
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "next": _next(request)},
        status=status,
    )


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The account's own security: its second factor and recovery codes."""
    user = current_user(request)
    if request.method == "POST" and user.is_verified():  # type: ignore[attr-defined]
        codes = actions.do_renew_recovery_codes(request, user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": ""})
    context = {
        "device": confirmed_device(user),
        "codes_left": recovery_codes_left(user),
        "required": needs_second_factor(user),
        "events": user.account_events.select_related("actor")[:20],
    }
    return render(request, "accounts/security.html", context)


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


class PasswordResetView(auth_views.PasswordResetView):
    """The form that sends the one-time link (the same answer whether or not the address is
    an account's, so it tells nobody who works here)."""

    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        allowed, retry_after = ratelimit.hit(request, "track")
        if not allowed:
            return ratelimit.too_many(request, retry_after, "accounts/throttled.html")
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        actions.record_password_reset(form.user, self.request)
        actions.do_end_sessions(form.user, acting_user=form.user)  # other sessions end too
        return response


def locked_out(request: HttpRequest, credentials: Any, *args: Any, **kwargs: Any) -> HttpResponse:
    """What a locked account's login answers (django-axes' AXES_LOCKOUT_CALLABLE): 429, in
    the person's language, saying for how long and who can unlock it."""
    context = {"cooloff_minutes": settings.AXES_COOLOFF_MINUTES}
    return render(request, "accounts/locked.html", context, status=429)
