"""Satisfaction studies, mystery shopper and monitoring visits.

An **instrument** (a questionnaire or a checklist) is designed in versions: a draft is edited,
publishing freezes it, a change makes a new draft copied from the last published version.
Questions keep a stable `code` across versions, so trends follow the same question.

A **study** uses one published version, at some centres, over a period, by one method. Its
**responses** hold one **answer** row per question (one per option chosen for a multiple
choice); results are computed from these rows in SQL (enlace/surveys/results.py). A response
counts once submitted, unless it was rejected on review (or, in a study that requires review,
until it is accepted).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enlace.core.models import AppendOnlyModel


class InstrumentKind(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    CHECKLIST = "checklist", _("Checklist")


class Instrument(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=InstrumentKind.choices)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_checklist(self) -> bool:
        return self.kind == InstrumentKind.CHECKLIST


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", pgettext_lazy("version", "Published")


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="version_number_uniq"),
            # At most one draft at a time: the next version is being written there.
            models.UniqueConstraint(
                fields=["instrument"],
                condition=Q(status="draft"),
                name="version_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Section(models.Model):
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale 1 to 5")
    NPS = "nps", _("Likelihood to recommend, 0 to 10")
    FFT = "fft", _("Overall experience (Friends and Family)")
    YES_NO = "yes_no", _("Yes / no / not applicable")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    PHOTO = "photo", _("Photo")


# The kinds whose answers are one of a list of codes (Answer.choice).
CHOICE_KINDS = frozenset(
    {QuestionKind.FFT, QuestionKind.YES_NO, QuestionKind.SINGLE, QuestionKind.MULTIPLE}
)
# The kinds whose answers are a number (Answer.number).
NUMBER_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.NPS, QuestionKind.NUMBER})
# The kinds a person writes freely (searchable comments).
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})


class FriendsAndFamily(models.TextChoices):
    """The NHS Friends and Family Test's answers, best first."""

    VERY_GOOD = "very_good", _("Very good")
    GOOD = "good", _("Good")
    NEUTRAL = "neutral", _("Neither good nor poor")
    POOR = "poor", _("Poor")
    VERY_POOR = "very_poor", _("Very poor")
    DONT_KNOW = "dont_know", _("Don't know")


FFT_POSITIVE = (FriendsAndFamily.VERY_GOOD, FriendsAndFamily.GOOD)
FFT_NEGATIVE = (FriendsAndFamily.POOR, FriendsAndFamily.VERY_POOR)


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


class Question(models.Model):
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"))
    # Stable across versions: results and trends follow the code, not the row.
    code = models.SlugField(_("code"), max_length=40)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=False)
    low_label = models.CharField(_("label of the lowest value"), max_length=60, blank=True)
    high_label = models.CharField(_("label of the highest value"), max_length=60, blank=True)
    min_value = models.DecimalField(
        _("smallest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Checklists: the item's weight in the score, and whether failing it fails the evaluation.
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, null=True, blank=True)
    critical = models.BooleanField(_("critical item"), default=False)
    # Shown only when an earlier question's answer is one of these codes (or numbers).
    condition_question = models.ForeignKey(
        "self",
        verbose_name=_("shown if the answer to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependents",
    )
    condition_values = models.JSONField(_("is one of"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["version", "section__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_code_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"

    @property
    def is_conditional(self) -> bool:
        return self.condition_question_id is not None


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField(_("position"))
    value = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="option_value_uniq"),
        ]

    def __str__(self) -> str:
        return self.label


class StudyKind(models.TextChoices):
    SATISFACTION = "satisfaction", _("Satisfaction survey")
    MYSTERY_SHOPPER = "mystery_shopper", _("Mystery shopper")
    MONITORING = "monitoring", _("Monitoring visit")


class StudyMethod(models.TextChoices):
    PHONE = "phone", _("By phone, from the call centre")
    FACE_TO_FACE = "face_to_face", _("Face to face at the centre")
    LINK = "link", _("Self-completed by invitation link")
    QR = "qr", _("Self-completed by the centre's QR code")
    AFTER_CASE = "after_case", _("After a case is answered")
    VISIT = "visit", _("Visit to the centre")


class StudyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FIELDWORK = "fieldwork", _("Fieldwork")
    CLOSED = "closed", pgettext_lazy("study", "Closed")


class Study(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=StudyKind.choices)
    version = models.ForeignKey(
        InstrumentVersion,
        verbose_name=_("instrument version"),
        on_delete=models.PROTECT,
        related_name="studies",
    )
    # Who asked for it: a dependency, or (empty) the unit's own initiative.
    requested_by = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    request_note = models.CharField(_("request"), max_length=300, blank=True)
    method = models.CharField(_("method"), max_length=20, choices=StudyMethod.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=20, choices=StudyStatus.choices, default=StudyStatus.DRAFT
    )
    # A response counts only once accepted on review (mystery shopper, visits), or as soon as
    # it is submitted unless rejected (surveys).
    requires_review = models.BooleanField(_("responses count only once accepted"), default=False)
    # The portal's rating of every answered case: one study that never closes.
    continuous = models.BooleanField(_("continuous"), default=False)
    # Monitoring visits: how often each centre is visited.
    visit_every_days = models.PositiveIntegerField(_("visit every (days)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    opened_at = models.DateTimeField(_("fieldwork started"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        ordering = ["-period_start", "-id"]
        indexes = [models.Index(fields=["status", "period_start"], name="study_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="study_period_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_fieldwork(self) -> bool:
        return self.status == StudyStatus.FIELDWORK


class StudyCentre(models.Model):
    """A centre of a study: its sample target, its QR code's token, its visits' plan."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="centres")
    dependency = models.ForeignKey(
        "directory.Dependency", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.PositiveIntegerField(_("sample target"), default=0)
    # The token in the centre's QR code (a random string, not a secret: the poster is public).
    qr_token = models.CharField(max_length=32, unique=True)

    class Meta:
        verbose_name = _("centre of a study")
        verbose_name_plural = _("centres of a study")
        ordering = ["study", "dependency__name"]
        constraints = [
            models.UniqueConstraint(fields=["study", "dependency"], name="study_centre_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.study_id}: {self.dependency_id}"


class InvitationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", "WhatsApp"


class Invitation(models.Model):
    """A unique link to answer a study once. Only the SHA-256 of its token is kept; the token
    itself travels in the message. `remind_at` is when the sweeper sends the one reminder."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="invitations")
    dependency = models.ForeignKey(
        "directory.Dependency", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(
        _("channel"), max_length=20, choices=InvitationChannel.choices, blank=True
    )
    # The address it was sent to (personal data: blanked once answered or expired).
    address = models.CharField(_("address"), max_length=254, blank=True)
    # SHA-256 of the normalised address: "never twice to the same person in a period".
    person_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"))
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(
                fields=["remind_at"],
                condition=Q(remind_at__isnull=False),
                name="invitation_remind_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study_id}: {self.pk}"


class ResponseMode(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    LINK = "link", _("Invitation link")
    QR = "qr", _("QR code")
    VISIT = "visit", _("Visit")
    API = "api", _("Another system (API)")
    PORTAL = "portal", _("Portal rating")


class ResponseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class ReviewState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    HAS_ISSUES = "has_issues", _("Has issues")
    REJECTED = "rejected", _("Rejected")


class Response(models.Model):
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    dependency = models.ForeignKey(
        "directory.Dependency", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("mode"), max_length=20, choices=ResponseMode.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ResponseStatus.choices,
        default=ResponseStatus.IN_PROGRESS,
    )
    review_state = models.CharField(
        _("review"), max_length=20, choices=ReviewState.choices, default=ReviewState.RECEIVED
    )
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # QR answers: a random id kept in the device's cookie, and the day (one per device a day).
    device_key = models.CharField(max_length=64, blank=True)
    # Another system's key for the submission (API, Idempotency-Key).
    idempotency_key = models.CharField(max_length=100, blank=True)
    # Monitoring visits: the day planned and the day done (planned visits have no answers yet).
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    day = models.DateField(_("day"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(
                fields=["study", "status", "review_state", "dependency"],
                name="response_study_idx",
            ),
            models.Index(fields=["study", "submitted_at"], name="response_submitted_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "device_key", "day"],
                condition=~Q(device_key=""),
                name="response_device_day_uniq",
            ),
            models.UniqueConstraint(
                fields=["study", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="response_idempotency_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study_id}/{self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


def counted_responses_q(prefix: str = "") -> Q:
    """The responses that count in results: submitted, not rejected, and accepted where the
    study requires review."""
    p = prefix
    return (
        Q(**{f"{p}status": ResponseStatus.SUBMITTED})
        & ~Q(**{f"{p}review_state": ReviewState.REJECTED})
        & (
            Q(**{f"{p}review_state": ReviewState.ACCEPTED})
            | Q(**{f"{p}study__requires_review": False})
        )
    )


def answer_upload_to(instance: Answer, filename: str) -> str:
    return f"surveys/{instance.response.study_id}/{instance.response_id}/{filename}"


class Answer(models.Model):
    """One answer: a code (`choice`, one row per option chosen), a number, a date, a text or a
    photo, by the question's kind."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice = models.CharField(max_length=40, blank=True)
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    text = models.TextField(blank=True)
    photo = models.FileField(upload_to=answer_upload_to, blank=True, max_length=300)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question", "choice"], name="answer_uniq"),
        ]
        indexes = [models.Index(fields=["question", "choice"], name="answer_question_idx")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class Finding(models.Model):
    """What a visit found that must change: an improvement opportunity, followed up by the
    centre's next visit."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="findings")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    improvement = models.OneToOneField(
        "improvements.ImprovementOpportunity", on_delete=models.CASCADE, related_name="finding"
    )
    # Set by the next visit to the centre: whether it found the problem solved.
    checked_by = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="checked"
    )
    solved = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return str(self.improvement_id)


class StudyEvent(AppendOnlyModel):
    """The history of a study and of its responses' reviews, one row per change."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="events")
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("when"))
    action = models.CharField(_("what"), max_length=40)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.study_id} {self.action}"
