"""The institute's participation mechanisms and what measures them (seeds 002, 003 and 004).

- A **mechanism** (health campaigns, health fairs, the call centre, the social networks, the
  suggestion box, …) is described once: its objective, who may take part, where, and the source
  of its figures. Its figures are never stored as text: they are counted from
- its **events** (a health campaign, a festival, a transparency fair, an accountability event),
  each with its dates, place, the centres that supported it and its attendance;
- the **cases** of the channel groups it stands for (`channel_groups`): the opinions it brought;
- the **figures of the social-network accounts** it runs, recorded periodically (followers,
  posts, views, interactions, the audience by sex and age band).
- The **information media** (bulletin boards, the in-house TV screens, publications) are an
  inventory: how many there are and where.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enlace.directory.models import Region


class Mechanism(models.Model):
    """A way the institute lets people take part (seed 002's table has one row per
    mechanism)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    objective = models.TextField(_("objective"))
    requirements = models.TextField(_("requirements to take part"))
    location = models.TextField(
        _("where it takes place"),
        blank=True,
        help_text=_("Where people reach it (an office, a telephone number, an address)."),
    )
    source = models.CharField(_("source of information"), max_length=300)
    # The channel groups (catalogues.ChannelGroup) whose opinions it counts; empty when it is
    # not a channel of opinions.
    channel_groups = models.JSONField(_("channel groups"), default=list, blank=True)
    has_events = models.BooleanField(
        _("has events"),
        default=False,
        help_text=_("Its participation is counted from registered events."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("participation mechanism")
        verbose_name_plural = _("participation mechanisms")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ReportingYear(models.Model):
    """How the unit states a year's table of mechanisms: the window its opinion counts cover
    (in 2016 the unit's register of opinions began in August) and the date it is stated at
    ("a enero de 2017"). Without one, a year's opinions are counted over the whole year."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    opinions_from = models.DateField(_("opinions counted from"))
    opinions_to = models.DateField(_("opinions counted to"))
    stated_on = models.DateField(_("stated on"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting year")
        verbose_name_plural = _("reporting years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opinions_from__lte=models.F("opinions_to")),
                name="reporting_year_window_order",
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class ParticipationEvent(models.Model):
    """One event of a mechanism: a health campaign, a festival, a transparency fair, …"""

    mechanism = models.ForeignKey(
        Mechanism, verbose_name=_("mechanism"), on_delete=models.PROTECT, related_name="events"
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    venue = models.CharField(_("place"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        "directory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.CharField(_("zone"), max_length=20, choices=Region.choices)
    supporting_centres = models.ManyToManyField(
        "directory.Dependency",
        verbose_name=_("supporting centres"),
        through="EventCentre",
        related_name="+",
        blank=True,
    )
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    services = models.PositiveIntegerField(_("services given"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    # Set by an import: the file's name and line, so a row is never imported twice.
    import_key = models.CharField(max_length=200, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participation event")
        verbose_name_plural = _("participation events")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["mechanism", "starts_on"], name="event_mechanism_day_idx"),
            models.Index(fields=["starts_on"], name="event_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="event_dates_order"
            ),
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~models.Q(import_key=""),
                name="event_import_key_uniq",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EventCentre(models.Model):
    """A centre that supported an event (its own row, so the distinct centres of a period are
    counted by the database)."""

    event = models.ForeignKey(ParticipationEvent, on_delete=models.CASCADE, related_name="+")
    dependency = models.ForeignKey("directory.Dependency", on_delete=models.PROTECT)
    # The event's mechanism and first day, copied so that a period's distinct centres per
    # mechanism are read from this table (and its index) alone.
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "dependency"], name="event_centre_uniq")
        ]
        indexes = [
            models.Index(
                fields=["mechanism", "starts_on", "dependency"], name="event_centre_day_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.dependency_id}"


def evidence_path(instance: EventEvidence, filename: str) -> str:
    return f"participation/events/{instance.event_id}/{filename}"


class EventEvidence(models.Model):
    """A photo or a document that shows an event took place."""

    event = models.ForeignKey(ParticipationEvent, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class Network(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    WHATSAPP = "whatsapp", "WhatsApp"
    OTHER = "other", _("Other")


class SocialAccount(models.Model):
    """One of the institute's accounts on a social network."""

    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    handle = models.CharField(_("account"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=150)
    url = models.URLField(_("address"), blank=True)
    mechanism = models.ForeignKey(
        Mechanism,
        verbose_name=_("mechanism"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("social-network account")
        verbose_name_plural = _("social-network accounts")
        ordering = ["sort_order", "handle"]

    def __str__(self) -> str:
        return self.handle


class AccountFigures(models.Model):
    """An account's figures as of a day (usually a month's last): the running totals then,
    and the interactions since the previous record."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="figures"
    )
    on = models.DateField(_("as of"))
    followers = models.PositiveIntegerField(_("followers or subscribers"))
    posts = models.PositiveIntegerField(_("posts"), null=True, blank=True)
    views = models.PositiveIntegerField(_("views"), null=True, blank=True)
    interactions = models.PositiveIntegerField(_("interactions"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("account figures")
        verbose_name_plural = _("account figures")
        ordering = ["account", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["account", "on"], name="account_figures_day_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.on:%Y-%m-%d}"


class AudienceDimension(models.TextChoices):
    SEX = "sex", _("Sex")
    AGE = "age", _("Age band")


# The bands of each dimension, as the networks' statistics give them.
AUDIENCE_BANDS: dict[str, dict[str, object]] = {
    AudienceDimension.SEX: {"women": _("Women"), "men": _("Men")},
    AudienceDimension.AGE: {
        "13-17": "13-17",
        "18-24": "18-24",
        "25-34": "25-34",
        "35-44": "35-44",
        "45-54": "45-54",
        "55-64": "55-64",
        "65+": "65+",
    },
}


class AudienceShare(models.Model):
    """The share of an account's audience in one band (women 61 %, 25-34 years 38 %, …)."""

    figures = models.ForeignKey(AccountFigures, on_delete=models.CASCADE, related_name="audience")
    dimension = models.CharField(max_length=10, choices=AudienceDimension.choices)
    band = models.CharField(max_length=10)
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["dimension", "band"]
        constraints = [
            models.UniqueConstraint(
                fields=["figures", "dimension", "band"], name="audience_band_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.band} {self.percent}"


class MediumKind(models.TextChoices):
    BULLETIN_BOARD = "bulletin_board", _("Bulletin board")
    TV_SCREEN = "tv_screen", _("In-house TV screen")
    PUBLICATION = "publication", _("Publication")
    OTHER = "other", _("Other")


class InformationMedium(models.Model):
    """Where the institute informs the public: the bulletin boards of a building, its in-house
    TV screens, a publication."""

    kind = models.CharField(_("kind"), max_length=20, choices=MediumKind.choices)
    name = models.CharField(_("name"), max_length=200)
    dependency = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("where"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.PositiveIntegerField(_("how many"), default=1)
    description = models.TextField(_("description"), blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("information medium")
        verbose_name_plural = _("information media")
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["kind", "since"], name="medium_kind_since_idx")]

    def __str__(self) -> str:
        return self.name
