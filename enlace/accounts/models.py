"""Users and their role. A user has exactly one role; some roles are scoped to a centre."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Call-centre agent")
    PUNTO_SEGURO = "punto_seguro", _("Punto Seguro agent")
    RESOLUTION = "resolution", _("Resolution staff")
    LIAISON = "liaison", _("Centre liaison")
    OIR_OFFICER = "oir_officer", _("OIR officer")
    ANALYST = "analyst", _("Analyst")
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

    @property
    def is_centre_scoped(self) -> bool:
        return self.role in CENTRE_SCOPED_ROLES
