"""Data protection (Ley para la Protección de Datos Personales, D.L. 144 of 2024): who viewed a
citizen's personal data, and the rights of the people whose data Enlace keeps.

`PersonalDataAccess` is the access log: one row per case (or request) whose personal data a
person or an API key was shown, with the door it came through. It is written in bulk (an API
page, an export) and read by the data-protection officer, by citizen or by user.

`AccessBatch` is how a page of many cases (an API list, the console's list) reaches it: the
request writes one row holding the page's case ids, and `enlace.privacy.access.expand_batches`
turns it into one `PersonalDataAccess` row per case (the sweeper, and every reader of the log
before it reads), as the rollups fold their deltas.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enlace.core.models import AppendOnlyModel


class AccessVia(models.TextChoices):
    CASE_PAGE = "case_page", _("Case page")
    CALLER_HISTORY = "caller_history", _("Caller's history")
    API_READ = "api_read", _("API: one case")
    API_LIST = "api_list", _("API: a list of cases")
    CASE_LIST = "case_list", _("Case list (the first words of each case)")
    EXPORT = "export", _("Export of the case list")
    IMPORT_FILE = "import_file", _("Imported file")
    SUBJECT_SEARCH = "subject_search", _("Search for a person's data")
    SUBJECT_EXPORT = "subject_export", _("Export of a person's data")
    OIR_REQUEST = "oir_request", _("Information request page")
    # A campaign's contacts (enlace/campaigns): the agent's call page, the export and the API.
    CAMPAIGN_CALL = "campaign_call", _("Campaign call page")
    CAMPAIGN_EXPORT = "campaign_export", _("Export of a campaign's contacts")


class AccessFields(models.Model):
    """Who saw personal data, when, and through what: the fields the log's rows and its
    batches share."""

    # The log's references carry no foreign-key constraint in the database: a page of 200 cases
    # is 200 rows written in one INSERT, and checking each row's case, user and key at commit
    # doubled its cost (bench/personal_data.py). The ids come from rows just read; Django still
    # applies on_delete when a case, a request, a user or a key is deleted through it.
    at = models.DateTimeField(_("when"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # led by the log's composite index
        db_constraint=False,
    )
    api_key = models.ForeignKey(
        "apikeys.ApiKey",
        verbose_name=_("API key"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    via = models.CharField(_("through"), max_length=20, choices=AccessVia.choices)

    class Meta:
        abstract = True


class PersonalDataAccess(AccessFields):
    """One view of a case's or a request's personal data, or one search by a person's
    identifier: a row of the access log."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    information_request = models.ForeignKey(
        "oir.InformationRequest",
        verbose_name=_("information request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # What was looked up, when the access was a search by a person's identifier (a phone typed
    # on the intake, a DUI given to the data-protection officer), normalised.
    subject = models.CharField(_("person searched"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(
                fields=["case", "-at"],
                name="access_case_idx",
                condition=models.Q(case__isnull=False),
            ),
            models.Index(
                fields=["information_request", "-at"],
                name="access_request_idx",
                condition=models.Q(information_request__isnull=False),
            ),
            models.Index(
                fields=["subject", "-at"],
                name="access_subject_idx",
                condition=~models.Q(subject=""),
            ),
            models.Index(fields=["user", "-at"], name="access_user_idx"),
            models.Index(fields=["at"], name="access_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.via} {self.case_id or self.information_request_id or ''}"


class AccessBatch(AccessFields):
    """A page of cases whose personal data were shown at once, as the request wrote it: one
    row, not one per case. Two hundred rows into the access log's indexes cost an API page 2.4
    ms, a tenth of its time; this row costs about 0.2 (bench/personal_data.py). It has no index
    but its key: nothing searches it, `expand_batches` empties it into the log."""

    case_ids = models.JSONField(_("cases"))

    class Meta:
        verbose_name = _("page of cases shown")
        verbose_name_plural = _("pages of cases shown")

    def __str__(self) -> str:
        return f"{self.user_id} {self.via} {len(self.case_ids)}"


class UnusualAccess(models.Model):
    """A user who viewed more personal data in an hour than PERSONAL_DATA_ALERT_PER_HOUR: found
    by the sweeper (one row per user and hour), for the data-protection officer to look at."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.CASCADE, related_name="+"
    )
    hour = models.DateTimeField(_("hour"))
    accesses = models.PositiveIntegerField(_("records viewed"))
    threshold = models.PositiveIntegerField(_("threshold"))
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("unusual access")
        verbose_name_plural = _("unusual accesses")
        ordering = ["-hour", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "hour"], name="unusual_access_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.hour:%Y-%m-%d %H:00} {self.accesses}"


# --- The rights of the people whose data Enlace keeps (D.L. 144 of 2024) ----------------------
class RightKind(models.TextChoices):
    ACCESS = "access", _("Access: a copy of my data")
    RECTIFICATION = "rectification", _("Rectification: correct my data")
    CANCELLATION = "cancellation", _("Cancellation: delete my data")
    OPPOSITION = "opposition", _("Opposition: stop using my data for a purpose")
    PORTABILITY = "portability", _("Portability: my data in a reusable format")
    LIMITATION = "limitation", _("Limitation: keep my data but do not use it")


class SubjectRequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROCESS = "in_process", _("In process")
    EXTENDED = "extended", _("Extended")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused")


OPEN_SUBJECT_STATUSES = (
    SubjectRequestStatus.RECEIVED,
    SubjectRequestStatus.IN_PROCESS,
    SubjectRequestStatus.EXTENDED,
)


class SubjectRequestChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")


class SubjectRequest(models.Model):
    """A person exercising a right over their data: answered by the data-protection officer
    within 20 business days, extendable once by 20 for a recorded reason."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("right"), max_length=20, choices=RightKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SubjectRequestStatus.choices,
        default=SubjectRequestStatus.RECEIVED,
    )
    channel = models.CharField(
        _("received by"), max_length=12, choices=SubjectRequestChannel.choices
    )
    requester_name = models.CharField(_("name"), max_length=200)
    dui = models.CharField(_("DUI"), max_length=10, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    description = models.TextField(_("what is asked"))
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"))
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The form's token, for a filing on the portal: processing it twice finds this request.
    intake_token = models.UUIDField(null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the sweeper next looks at it (due soon, overdue), as the OIR's requests do.
    next_check_at = models.DateTimeField(null=True, blank=True)
    alert_level = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("data-protection request")
        verbose_name_plural = _("data-protection requests")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="subject_request_due_idx",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["status", "due_on"], name="subject_request_list_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SUBJECT_STATUSES


class SubjectEventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    SEARCHED = "searched", _("The person's data searched")
    EXPORTED = "exported", _("The person's data exported")
    RECTIFIED = "rectified", _("Data rectified")
    CANCELLED = "cancelled", _("Data cancelled (anonymised)")
    EXTENDED = "extended", _("Extended")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused")
    DEADLINE_ALERT = "deadline_alert", _("Deadline alert")


class SubjectRequestEvent(AppendOnlyModel):
    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=SubjectEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("data-protection request event")
        verbose_name_plural = _("data-protection request events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class SubjectRequestCounter(models.Model):
    """The last number given in a year, locked while a request is numbered: gap-free."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# --- Retention ------------------------------------------------------------------------------
class RetentionPolicy(models.Model):
    """How long personal data of a kind of record is kept once its business is over (a case
    closed, a request notified); the sweeper then anonymises it, keeping what the reports
    count. The kinds are those the apps register (enlace/privacy/registry.py)."""

    kind = models.CharField(_("kind of record"), max_length=40, unique=True)
    months = models.PositiveIntegerField(
        _("months kept"), help_text=_("After the record's business is over.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.months}"


# --- Breaches ------------------------------------------------------------------------------
class BreachStatus(models.TextChoices):
    OPEN = "open", _("Open")
    NOTIFIED = "notified", _("Notified")
    CLOSED = "closed", _("Closed")


class Breach(models.Model):
    """A security incident that affected personal data: the authority and the people affected
    must be told within 72 hours of its discovery (a deadline the sweeper watches)."""

    title = models.CharField(_("title"), max_length=200)
    discovered_at = models.DateTimeField(_("discovered at"))
    description = models.TextField(_("what happened"))
    data_affected = models.TextField(_("data affected"))
    people_affected = models.PositiveIntegerField(_("people affected"), default=0)
    measures = models.TextField(_("measures taken"), blank=True)
    due_at = models.DateTimeField(_("notify by"))
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    people_notified_at = models.DateTimeField(_("people notified at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BreachStatus.choices, default=BreachStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    alert_level = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("personal-data breach")
        verbose_name_plural = _("personal-data breaches")
        ordering = ["-discovered_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="breach_due_idx",
                condition=models.Q(next_check_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def notified(self) -> bool:
        return self.authority_notified_at is not None and self.people_notified_at is not None


class BreachEventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    NOTIFIED = "notified", _("Notice recorded")
    CLOSED = "closed", _("Closed")
    DEADLINE_ALERT = "deadline_alert", _("Deadline alert")


class BreachEvent(AppendOnlyModel):
    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=30, choices=BreachEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("breach event")
        verbose_name_plural = _("breach events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.breach_id} {self.kind}"
