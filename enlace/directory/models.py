"""The organisation: every dependency (governing body, unit, department, section, care centre)
as one tree. Cases point at the dependency involved; users of a centre are scoped to it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LevelOfCare(models.TextChoices):
    HOSPITAL = "hospital", _("Hospitals and specialty clinics")
    UNIDAD_MEDICA = "unidad_medica", _("Medical units")
    CLINICA_COMUNAL = "clinica_comunal", _("Community clinics")
    ADMINISTRATIVO = "administrativo", _("Administrative")


class DependencyKind(models.TextChoices):
    GOVERNING_BODY = "governing_body", _("Governing body")
    UNIT = "unit", _("Unit")
    DEPARTMENT = "department", _("Department")
    SECTION = "section", _("Section")
    OFFICE = "office", _("Office")
    CARE_CENTRE = "care_centre", _("Care centre")


class Department(models.TextChoices):
    """El Salvador's departments (ISO 3166-2:SV), for their local holidays."""

    AH = "AH", "Ahuachapán"
    CA = "CA", "Cabañas"
    CH = "CH", "Chalatenango"
    CU = "CU", "Cuscatlán"
    LI = "LI", "La Libertad"
    MO = "MO", "Morazán"
    PA = "PA", "La Paz"
    SA = "SA", "Santa Ana"
    SM = "SM", "San Miguel"
    SO = "SO", "Sonsonate"
    SS = "SS", "San Salvador"
    SV = "SV", "San Vicente"
    UN = "UN", "La Unión"
    US = "US", "Usulután"


class Region(models.TextChoices):
    """The zones the institute reports its activity by (seed 002: "zonas de San Salvador, zona
    central, occidente y oriente")."""

    SAN_SALVADOR = "san_salvador", _("San Salvador")
    CENTRAL = "central", _("Central zone")
    WEST = "occidente", _("West")
    EAST = "oriente", _("East")


# The zone of each department, the default of a place's zone (a participation event may say
# otherwise: the unit decides which zone an event served).
DEPARTMENT_REGION: dict[str, str] = {
    Department.SS: Region.SAN_SALVADOR,
    Department.LI: Region.CENTRAL,
    Department.PA: Region.CENTRAL,
    Department.CU: Region.CENTRAL,
    Department.CA: Region.CENTRAL,
    Department.SV: Region.CENTRAL,
    Department.CH: Region.CENTRAL,
    Department.AH: Region.WEST,
    Department.SA: Region.WEST,
    Department.SO: Region.WEST,
    Department.SM: Region.EAST,
    Department.US: Region.EAST,
    Department.UN: Region.EAST,
    Department.MO: Region.EAST,
}


class Municipality(models.Model):
    """One of El Salvador's 262 municipalities (the division in force until 2024, which the
    institute's historical records use), from enlace/directory/data/municipalities.toml."""

    code = models.CharField(_("code"), max_length=4, unique=True)  # department's 2 + 2 digits
    name = models.CharField(_("name"), max_length=100)
    department = models.CharField(_("department"), max_length=2, choices=Department.choices)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name", "department"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="municipality_name_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_department_display()})"

    @property
    def region(self) -> str:
        return DEPARTMENT_REGION[self.department]


class DependencyQuerySet(models.QuerySet["Dependency"]):
    def active(self) -> DependencyQuerySet:
        return self.filter(is_active=True)

    def care_centres(self) -> DependencyQuerySet:
        return self.filter(kind=DependencyKind.CARE_CENTRE)


class Dependency(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=DependencyKind.choices)
    level_of_care = models.CharField(
        _("level of care"), max_length=20, choices=LevelOfCare.choices, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    department = models.CharField(
        _("department"), max_length=2, choices=Department.choices, blank=True
    )
    has_punto_seguro = models.BooleanField(_("has Punto Seguro"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = DependencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """What the type-ahead shows and accepts: the name followed by the code."""
        return f"{self.name} [{self.code}]"


class InstitutionalClosure(models.Model):
    """A day the institute does not work besides weekends and national holidays (for example
    the August festivities of San Salvador, or a closure decreed by management). Deadlines
    counted in business days skip it."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("institutional closure")
        verbose_name_plural = _("institutional closures")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
