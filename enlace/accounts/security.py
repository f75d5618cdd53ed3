"""Who must give a second factor, and whether they have one. Pure reads; the writes are in
actions.py. The policy is the deployment's (settings.SECOND_FACTOR_ROLES): in production the
roles that see the most (administration, resolution, OIR, analysts, the data-protection
officer)."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from enlace.accounts.models import Role, User


def needs_second_factor(user: User) -> bool:
    roles = set(settings.SECOND_FACTOR_ROLES)
    if not user.is_active or not roles:
        return False
    return user.role in roles or (user.is_superuser and Role.ADMINISTRATOR in roles)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device is not None else 0
