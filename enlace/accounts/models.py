"""Users and their role. A user has exactly one role; some roles are scoped to a centre."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from enlace.core.models import AppendOnlyModel


class Role(models.TextChoices):
    AGENT = "agent", _("Call-centre agent")
    # Runs the call centre: its campaigns, its figures, the quality of its agents' work.
    CALL_SUPERVISOR = "call_supervisor", _("Call-centre supervisor")
    PUNTO_SEGURO = "punto_seguro", _("Punto Seguro agent")
    RESOLUTION = "resolution", _("Resolution staff")
    LIAISON = "liaison", _("Centre liaison")
    OIR_OFFICER = "oir_officer", _("OIR officer")
    # The communications staff: the participation mechanisms and events, the social networks'
    # figures, the media monitoring archive.
    COMMUNICATIONS = "communications", _("Communications staff")
    ANALYST = "analyst", _("Analyst")
    DPO = "dpo", _("Data-protection officer")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles whose view of cases is limited to one dependency (and, for liaisons, optionally its
# children). The scope itself is decided in enlace/cases/queries.py.
CENTRE_SCOPED_ROLES = frozenset({Role.PUNTO_SEGURO, Role.LIAISON})


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    dependency = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("The centre a Punto Seguro agent or a centre liaison works for."),
    )
    includes_children = models.BooleanField(
        _("also sees dependencies below the centre"), default=False
    )
    # Raised to end every session of the account at once (an administrator's "end sessions",
    # a second factor reset): each session carries a hash that includes it.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractUser.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=CENTRE_SCOPED_ROLES)
                | models.Q(dependency__isnull=False),
                name="centre_scoped_role_has_dependency",
                violation_error_message=_("This role needs a centre."),
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.role in CENTRE_SCOPED_ROLES and self.dependency_id is None:
            raise ValidationError({"dependency": _("This role needs a centre.")})

    def get_session_auth_hash(self) -> str:
        """Django's hash of the password, and the session epoch: a session made before either
        changed is no longer valid."""
        salt = "enlace.accounts.User.get_session_auth_hash"
        return salted_hmac(
            salt, f"{self.password}:{self.session_epoch}", algorithm="sha256"
        ).hexdigest()

    @property
    def is_centre_scoped(self) -> bool:
        return self.role in CENTRE_SCOPED_ROLES


class AccountEventKind(models.TextChoices):
    SECOND_FACTOR_ENROLLED = "2fa_enrolled", _("Second factor enrolled")
    SECOND_FACTOR_RESET = "2fa_reset", _("Second factor reset")
    RECOVERY_CODE_USED = "recovery_used", _("Recovery code used")
    RECOVERY_CODES_RENEWED = "recovery_renewed", _("Recovery codes renewed")
    LOCKED = "locked", _("Locked after failed logins")
    UNLOCKED = "unlocked", _("Unlocked")
    SESSIONS_ENDED = "sessions_ended", _("Sessions ended")
    PASSWORD_RESET = "password_reset", _("Password reset by e-mail")


class AccountEvent(AppendOnlyModel):
    """The security history of a staff account: who did what to it, and when. Rows are only
    added."""

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="account_events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=AccountEventKind.choices)
    actor = models.ForeignKey(
        User,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="account_event_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
