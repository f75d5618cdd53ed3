"""Every write to a staff account's security: enrolling and checking a second factor, recovery
codes, ending sessions, unlocking after failed logins. Each writes its AccountEvent row in the
same transaction."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from enlace.accounts.models import AccountEvent, AccountEventKind, User
from enlace.core.errors import BusinessError

RECOVERY_CODES = 10


def _event(
    user: User, kind: str, actor: User | None, *, request: HttpRequest | None = None, note: str = ""
) -> AccountEvent:
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    return AccountEvent.objects.create(
        user=user, kind=kind, actor=actor, at=timezone.now(), address=address, note=note[:300]
    )


def do_start_enrolment(user: User) -> TOTPDevice:
    """A new, unconfirmed TOTP device for the phone being enrolled (the earlier unconfirmed
    one, if the page was opened before, is replaced: its secret was shown already)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=_("Phone"), confirmed=False)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _number in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def do_confirm_enrolment(request: HttpRequest, user: User, token: str) -> list[str]:
    """The code the phone shows proves it holds the secret: the device is confirmed (any
    other is removed), the session counts as verified, and ten one-time recovery codes are
    made. Returns the codes, shown once and never stored in clear anywhere else."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-id")
            .first()
        )
        if device is None:
            raise BusinessError(_("Start again: open the enrolment page."), field="token")
        if not device.verify_token(token.strip().replace(" ", "")):
            raise BusinessError(
                _("That code is not right. Check the phone's clock and try the next code."),
                field="token",
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        _event(user, AccountEventKind.SECOND_FACTOR_ENROLLED, user, request=request)
    otp_login(request, device)
    return codes


def do_verify_second_factor(request: HttpRequest, user: User, token: str) -> None:
    """The session's second factor: the phone's six-digit code, or one of the recovery codes
    (used once, then gone). Each device slows down repeated wrong codes (django-otp)."""
    token = token.strip().replace(" ", "").lower()
    if not token:
        raise BusinessError(_("Type the code."), field="token")
    with transaction.atomic():
        if token.isdigit():
            device: TOTPDevice | StaticDevice | None = TOTPDevice.objects.filter(
                user=user, confirmed=True
            ).first()
        else:
            device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise BusinessError(_("That code is not right."), field="token")
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            raise BusinessError(
                _("Too many wrong codes: wait a few seconds and try again."), field="token"
            )
        if device.verify_token(token):
            if isinstance(device, StaticDevice):
                _event(user, AccountEventKind.RECOVERY_CODE_USED, user, request=request)
            otp_login(request, device)
            return
    raise BusinessError(_("That code is not right."), field="token")


def do_renew_recovery_codes(request: HttpRequest, user: User) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        _event(user, AccountEventKind.RECOVERY_CODES_RENEWED, user, request=request)
    return codes


def _end_sessions(user: User) -> None:
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


def do_end_sessions(user: User, *, acting_user: User, request: HttpRequest | None = None) -> None:
    """End every session of the account (a lost laptop, a role changed): each one's hash no
    longer matches. The administrator's own session survives if it is theirs."""
    with transaction.atomic():
        _end_sessions(user)
        _event(user, AccountEventKind.SESSIONS_ENDED, acting_user, request=request)
    if request is not None and acting_user.pk == user.pk:
        update_session_auth_hash(request, user)


def do_reset_second_factor(user: User, *, acting_user: User) -> None:
    """A lost phone: the devices and recovery codes go, and every session ends; the next login
    enrols a new phone."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _end_sessions(user)
        _event(user, AccountEventKind.SECOND_FACTOR_RESET, acting_user)


def do_unlock(user: User, *, acting_user: User) -> int:
    """Clear the failed logins that locked the account; how many were cleared."""
    from axes.utils import reset

    with transaction.atomic():
        cleared = int(reset(username=user.get_username()))
        _event(user, AccountEventKind.UNLOCKED, acting_user, note=str(cleared))
    return cleared


def record_lockout(username: str, request: HttpRequest | None) -> None:
    """django-axes locked an account out: its history says so."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        _event(user, AccountEventKind.LOCKED, None, request=request)


def record_password_reset(user: User, request: HttpRequest | None) -> None:
    _event(user, AccountEventKind.PASSWORD_RESET, user, request=request)
