"""Cases (opinions and inquiries) and their append-only history."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.cases.counted import COUNTED_FIELDS, COUNTED_NAMES, NONE, Counted, counted_as
from enlace.cases.lifecycle import OPEN_STATUSES, CaseKind, CaseStatus
from enlace.cases.rules import format_phone, format_tracking_code
from enlace.core.models import AppendOnlyModel
from enlace.directory.models import LevelOfCare


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CaseQuerySet(models.QuerySet["Case"]):
    """Cases' bulk writes keep the rollups exact too: an `update()` of a counted column, a
    `bulk_create()` and a `delete()` append the deltas of the rows they change, in their own
    transaction, as `Case.save()` does (only raw SQL bypasses them: `manage.py rebuild_rollups`
    after it)."""

    def update(self, **kwargs: Any) -> int:
        if not COUNTED_NAMES.intersection(kwargs):
            return super().update(**kwargs)
        updated = 0
        with transaction.atomic(using=self.db, savepoint=False):
            locked = self.select_for_update().values_list("pk", *COUNTED_FIELDS)
            stored = {pk: tuple(values) for pk, *values in locked}
            ids = list(stored)
            for start in range(0, len(ids), 2000):
                # Exactly the rows read (and locked) above, through the plain update.
                chunk: models.QuerySet[Case] = models.QuerySet(Case, using=self.db)
                chunk = chunk.filter(pk__in=ids[start : start + 2000])
                updated += chunk.update(**kwargs)
                after = {pk: tuple(v) for pk, *v in chunk.values_list("pk", *COUNTED_FIELDS)}
                changes = [(counted_as(stored[pk]), counted_as(v)) for pk, v in after.items()]
                RollupDelta.record_many(changes, using=self.db)
                centre = COUNTED_FIELDS.index("dependency_id")
                moves = {
                    pk: (stored[pk][centre], v[centre])
                    for pk, v in after.items()
                    if stored[pk][centre] != v[centre]
                }
                if moves:
                    record_answers_moved(moves, self.db)
        return updated

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Case]:
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise ValueError("the rollups cannot follow cases inserted on conflict")
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            changes: list[tuple[Counted | None, Counted | None]] = [
                (None, counted_as(tuple(getattr(case, name) for name in COUNTED_FIELDS)))
                for case in created
            ]
            RollupDelta.record_many(changes, using=self.db)
        return created

    def delete(self) -> tuple[int, dict[str, int]]:
        # A savepoint: a delete refused (ProtectedError) takes its deltas back and leaves the
        # caller's transaction usable, as Django's own refusal does.
        with transaction.atomic(using=self.db):
            gone = list(self.values_list("pk", *COUNTED_FIELDS))
            RollupDelta.record_many(
                [(counted_as(tuple(v)), None) for _pk, *v in gone], using=self.db
            )
            centre = 1 + COUNTED_FIELDS.index("dependency_id")
            moves: dict[int, tuple[int | None, int | None]] = {
                row[0]: (row[centre], None) for row in gone
            }
            record_answers_moved(moves, self.db, gone=True)
            return super().delete()


class Case(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices)
    # Unique by a constraint (below), not `unique=True`: that would add a second, LIKE-only
    # index that no query uses and every insert pays for.
    tracking_code = models.CharField(_("tracking code"), max_length=10)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )

    # Classification. The foreign keys that lead a composite index below carry no index of
    # their own: the composite one serves both the filter and the order of the list.
    channel = models.ForeignKey(
        "catalogues.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, db_index=False
    )
    opinion_type = models.ForeignKey(
        "catalogues.OpinionType",
        verbose_name=_("opinion type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    dependency = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="cases",
    )
    # Copied from the dependency when it is set: the level of care the case was counted under,
    # and a filter the list can serve from an index without a join.
    level_of_care = models.CharField(
        _("level of care"), max_length=20, choices=LevelOfCare.choices, blank=True
    )
    limitante = models.ForeignKey(
        "catalogues.Limitante",
        verbose_name=_("limitante"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    topic = models.ForeignKey(
        "catalogues.InquiryTopic",
        verbose_name=_("inquiry topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )

    # The person. Everything is optional: many inquiries are anonymous.
    citizen_name = models.CharField(_("name"), max_length=200, blank=True)
    citizen_dui = models.CharField(_("DUI"), max_length=10, blank=True)
    citizen_affiliation = models.CharField(_("affiliation number"), max_length=12, blank=True)
    citizen_phone = models.CharField(_("phone"), max_length=16, blank=True)
    citizen_email = models.EmailField(_("email"), blank=True)

    description = models.TextField(_("description"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    resolved_at_first_contact = models.BooleanField(_("answered at first contact"), default=False)
    # Folded (lower case, no accents) name and description: what free-text search reads.
    search_text = models.TextField(editable=False, default="")

    received_at = models.DateTimeField(_("received at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The person working the case now (within the centre or team it is with): their queue,
    # "Mis casos". Set and changed only by `do_set_owner`, each time a history row.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # led by case_owner_idx below
        related_name="+",
    )
    # Triage: patient-safety cases come first in every work queue, then by priority.
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    patient_safety = models.BooleanField(_("patient safety"), default=False)
    # The earliest due date of the case's open deadlines (CaseDeadline rows), kept by the
    # actions and the sweeper so lists can show and filter "due soon" and "overdue".
    next_due_on = models.DateField(_("next due date"), null=True, blank=True)
    # While waiting for the citizen the deadline clock stops: since when, and how many
    # business days it has stopped in all.
    paused_on = models.DateField(_("paused since"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("days paused"), default=0)
    proposed_answer = models.TextField(_("proposed answer"), blank=True)
    # The centre's internal improvement action that goes with its proposal: for the
    # resolution section and the improvement follow-up, never sent to the citizen.
    proposed_action = models.TextField(_("proposed improvement action"), blank=True)
    # When the citizen's personal data was erased (a cancellation, or its retention period
    # over: enlace/cases/data_protection.py); what the reports count stays.
    anonymised_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    citizen_accepted = models.BooleanField(_("citizen accepted the answer"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="merged_cases",
    )
    possible_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("possible duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="+",
    )
    escalated_from = models.ForeignKey(
        "self",
        verbose_name=_("escalated from inquiry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="escalations",
    )
    # A random token rendered into the intake form: posting the same form twice (a double
    # click, a retried request) finds the case the first post created instead of a second one.
    intake_token = models.UUIDField(null=True, blank=True, editable=False)
    # Arrived by a channel where the citizen wrote freely (WhatsApp, e-mail, the portal's
    # "other"): a person still has to say what it is (kind, type or topic, centre).
    to_classify = models.BooleanField(_("to classify"), default=False)
    # The case's key in the system it was imported from: re-importing it never duplicates it.
    # NULL, not "", for cases that were not imported: a unique constraint ignores NULLs.
    external_id = models.CharField(  # noqa: DJ001
        _("external id"), max_length=64, null=True, blank=True, editable=False
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The list is ordered by (received_at, id) descending and paginated by keyset; each
            # filter that leads an index lets a filtered page read only the rows it shows.
            models.Index(fields=["-received_at", "-id"], name="case_received_idx"),
            models.Index(
                fields=["dependency", "-received_at", "-id"], name="case_dep_received_idx"
            ),
            models.Index(fields=["channel", "-received_at", "-id"], name="case_chan_received_idx"),
            models.Index(fields=["status", "-received_at", "-id"], name="case_status_received_idx"),
            models.Index(fields=["kind", "-received_at", "-id"], name="case_kind_received_idx"),
            models.Index(
                fields=["opinion_type", "-received_at", "-id"], name="case_type_received_idx"
            ),
            models.Index(
                fields=["level_of_care", "-received_at", "-id"], name="case_level_received_idx"
            ),
            models.Index(
                fields=["next_due_on", "id"],  # the work queue's filter, the list's sort
                name="case_next_due_idx",
                condition=models.Q(next_due_on__isnull=False),
            ),
            models.Index(fields=["citizen_dui"], name="case_dui_idx"),
            # A person's own cases ("Mis casos"), in the list's order.
            models.Index(
                fields=["owner", "-received_at", "-id"],
                name="case_owner_idx",
                condition=models.Q(owner__isnull=False),
            ),
            # The retention's nightly look for closed cases kept long enough.
            models.Index(
                fields=["closed_at"],
                name="case_retention_idx",
                condition=models.Q(anonymised_at__isnull=True, closed_at__isnull=False),
            ),
            models.Index(fields=["citizen_phone"], name="case_phone_idx"),
            models.Index(fields=["citizen_affiliation"], name="case_affiliation_idx"),
            # Columns empty in most cases are indexed only where they hold a value: the rows
            # that foreign-key checks and look-ups need, and nothing for inserts to maintain.
            *(
                models.Index(
                    fields=[name],
                    name=f"case_{name}_idx",
                    condition=models.Q(**{f"{name}__isnull": False}),
                )
                for name in (
                    "limitante",
                    "topic",
                    "merged_into",
                    "possible_duplicate_of",
                    "escalated_from",
                )
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tracking_code"], name="case_tracking_code_key"),
            models.UniqueConstraint(
                fields=["intake_token"],
                name="case_intake_token_key",
                condition=models.Q(intake_token__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                name="case_external_id_key",
                condition=models.Q(external_id__isnull=False),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=CaseKind.OPINION)
                | models.Q(opinion_type__isnull=False)
                | models.Q(to_classify=True),
                name="opinion_has_type",
            ),
        ]

    def __str__(self) -> str:
        return self.display_code

    # The rollups follow every save that writes a counted column: the stored row's values are
    # read under a row lock first (a case loaded earlier may be stale), and if what the row
    # counts as changes, -1 for the old key and +1 for the new one are appended in the same
    # transaction (enlace/cases/rollups.py folds them). Bulk writes: `CaseQuerySet`.

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not COUNTED_NAMES.intersection(update_fields):
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or "default"
        with transaction.atomic(using=using, savepoint=False):
            stored = self._stored_counted_values(using)
            super().save(*args, **kwargs)
            written = self._written_columns(update_fields)
            after = tuple(
                getattr(self, name) if name in written or stored is None else value
                for name, value in zip(COUNTED_FIELDS, stored or COUNTED_FIELDS, strict=True)
            )
            before = counted_as(stored) if stored is not None else None
            RollupDelta.record(before, counted_as(after), using=using)
            centre = COUNTED_FIELDS.index("dependency_id")
            if stored is not None and stored[centre] != after[centre]:
                record_answers_moved({self.pk: (stored[centre], after[centre])}, using)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        using = kwargs.get("using") or "default"
        with transaction.atomic(using=using):
            stored = self._stored_counted_values(using)
            if stored is not None:
                centre = stored[COUNTED_FIELDS.index("dependency_id")]
                record_answers_moved({self.pk: (centre, None)}, using, gone=True)
            deleted = super().delete(*args, **kwargs)
            if stored is not None:
                RollupDelta.record(counted_as(stored), None, using=using)
        return deleted

    def _stored_counted_values(self, using: str) -> tuple[Any, ...] | None:
        """The counted columns as stored, the row locked until the transaction ends (None for
        a case not stored yet)."""
        if self._state.adding or self.pk is None:
            return None
        rows = Case.objects.using(using).select_for_update().filter(pk=self.pk)
        return rows.values_list(*COUNTED_FIELDS).first()

    def _written_columns(self, update_fields: Any) -> set[str]:
        """The counted columns a save wrote: those named, else every loaded one (a save of an
        instance loaded with deferred columns writes only the loaded ones)."""
        if update_fields is not None:
            attnames = {field.name: field.attname for field in self._meta.concrete_fields}
            return {attnames.get(name, name) for name in update_fields}
        deferred = self.get_deferred_fields()
        return {name for name in COUNTED_FIELDS if name not in deferred}

    @property
    def display_code(self) -> str:
        return format_tracking_code(self.tracking_code)

    @property
    def display_phone(self) -> str:
        return format_phone(self.citizen_phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def subject(self) -> str:
        """What the case is about, in a few words: its type or topic."""
        if self.to_classify:
            return str(_("To classify"))
        if self.kind == CaseKind.OPINION and self.opinion_type:
            return str(self.opinion_type)
        return str(self.topic) if self.topic else str(CaseKind(self.kind).label)


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    COMMENTED = "commented", _("Comment")
    RECLASSIFIED = "reclassified", _("Reclassified")
    ASSIGNED = "assigned", _("Assigned")
    OWNER_SET = "owner_set", _("Assigned to a person")
    CLOSED = "closed", _("Closed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASSESSING = "assessing", _("Assessment started")
    ANSWER_PROPOSED = "answer_proposed", _("Answer proposed")
    ANSWER_RETURNED = "answer_returned", _("Proposed answer returned")
    ANSWERED = "answered", _("Answered")
    WAITING = "waiting", _("Waiting for the citizen")
    RESUMED = "resumed", _("Resumed")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged")
    VOIDED = "voided", _("Voided")
    ESCALATED = "escalated", _("Escalated into a case")
    DEADLINE_REMINDER = "deadline_reminder", _("Deadline reminder")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed")
    DEADLINE_ESCALATED = "deadline_escalated", _("Escalated to the supervisor")
    IMPORTED = "imported", _("Imported")
    CITIZEN_MESSAGE = "citizen_message", _("Message from the citizen")
    MESSAGE_SENT = "message_sent", _("Message to the citizen")


class CaseEvent(AppendOnlyModel):
    """One row per thing that happened to a case: who, when, what, from what to what.

    Rows are only ever added. `save()` refuses to update one, and the console and admin offer
    no way to edit or delete them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    # {"field": {"from": "...", "to": "..."}} with human-readable values as they were then.
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at", "id"], name="caseevent_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


def case_file_path(instance: CaseFile, filename: str) -> str:
    """Stored under its hash and the extension of its sniffed type, never the name it came
    with (enlace/cases/files.py gives that extension as `filename`)."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"case_files/{instance.sha256[:2]}/{instance.sha256}.{extension}"


class CaseFile(models.Model):
    """A file the staff attached to an answer or a proposal, with the history row it came with
    (enlace/cases/files.py checks and stores it; the action writes it in the event's
    transaction). The citizens' own files are the channels' (`case.attachments`)."""

    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="files",
        db_index=False,  # led by the index below
    )
    event = models.ForeignKey(
        CaseEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(upload_to=case_file_path, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)  # as sniffed from the content
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["case", "id"], name="casefile_case_idx")]

    def __str__(self) -> str:
        return self.name


class DeadlineStep(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    ANSWER = "answer", _("Answer")


class DayUnit(models.TextChoices):
    BUSINESS = "business", _("Business days")
    CALENDAR = "calendar", _("Calendar days")


class DeadlinePolicy(models.Model):
    """How long a step may take, per kind of case and (optionally) opinion type. The most
    specific active policy applies: one for the opinion type, else one for the kind."""

    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices)
    opinion_type = models.ForeignKey(
        "catalogues.OpinionType",
        verbose_name=_("opinion type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: every opinion type without a policy of its own."),
    )
    step = models.CharField(_("step"), max_length=20, choices=DeadlineStep.choices)
    days = models.PositiveSmallIntegerField(_("days"), validators=[MaxValueValidator(365)])
    unit = models.CharField(
        _("unit"), max_length=10, choices=DayUnit.choices, default=DayUnit.BUSINESS
    )
    remind_before = models.PositiveSmallIntegerField(
        _("remind this many days before"), default=1, validators=[MaxValueValidator(30)]
    )
    escalate_after = models.PositiveSmallIntegerField(
        _("escalate this many days after"),
        default=1,
        validators=[MaxValueValidator(30)],
        help_text=_("Business days after the due date at which the supervisor is alerted."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["kind", "step", "opinion_type__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "opinion_type", "step"],
                condition=models.Q(opinion_type__isnull=False),
                name="deadline_policy_unique_type",
            ),
            models.UniqueConstraint(
                fields=["kind", "step"],
                condition=models.Q(opinion_type__isnull=True),
                name="deadline_policy_unique_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(days__gte=0, days__lte=365),
                name="deadline_policy_days_range",
                violation_error_message=_("The days must be between 0 and 365."),
            ),
        ]

    def __str__(self) -> str:
        target = self.opinion_type or CaseKind(self.kind).label
        return f"{target}: {DeadlineStep(self.step).label} {self.days} {DayUnit(self.unit).label}"


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    MET_LATE = "met_late", _("Met late")
    CANCELLED = "cancelled", _("Cancelled")


MET_STATUSES = (DeadlineStatus.MET, DeadlineStatus.MET_LATE)
# A deadline's columns its answer key depends on (with its case's centre), in `answered_as`'s
# order, and the same by field name.
ANSWER_FIELDS = ("step", "status", "met_at", "business_days_taken")
ANSWER_NAMES = frozenset(ANSWER_FIELDS)
NO_DAYS = -1  # an answer whose business days were not recorded


class Answered(NamedTuple):
    """A met answer deadline's place in the compliance rollup (an `AnswerDelta` row's key)."""

    day: date  # the answer was given on, local time
    dependency_id: int
    business_days: int
    in_time: bool


def answered_as(*values: Any) -> Answered | None:
    """The key of an answer given (an answer deadline met) from its ANSWER_FIELDS and its
    case's centre; None for any other deadline."""
    step, status, met_at, days, dependency_id = values
    if step != DeadlineStep.ANSWER or status not in MET_STATUSES or met_at is None:
        return None
    return Answered(
        day=timezone.localdate(met_at),
        dependency_id=dependency_id or NONE,
        business_days=NO_DAYS if days is None else days,
        in_time=status == DeadlineStatus.MET,
    )


def _answers_of(case_ids: list[int], using: str) -> list[tuple[Any, ...]]:
    """(case id, *ANSWER_FIELDS) of the cases' met answer deadlines."""
    rows = CaseDeadline.objects.using(using).filter(
        case_id__in=case_ids, step=DeadlineStep.ANSWER, status__in=MET_STATUSES
    )
    return list(rows.values_list("case_id", *ANSWER_FIELDS))


def record_answers_moved(
    moves: dict[int, tuple[int | None, int | None]], using: str, *, gone: bool = False
) -> None:
    """The cases' answers now counted under another centre ({case: (old, new)}; None is no
    centre): -1 under the old, +1 under the new; with `gone` (the cases are being deleted),
    only the -1."""
    changes: list[tuple[Answered | None, Answered | None]] = []
    for start in range(0, len(moves), 2000):
        ids = list(moves)[start : start + 2000]
        for case_id, *fields in _answers_of(ids, using):
            old, new = moves[case_id]
            after = None if gone else answered_as(*fields, new)
            changes.append((answered_as(*fields, old), after))
    AnswerDelta.record_many(changes, using=using)


class CaseDeadlineQuerySet(models.QuerySet["CaseDeadline"]):
    """Bulk writes of deadlines keep the compliance rollup exact, as `CaseQuerySet` does."""

    def update(self, **kwargs: Any) -> int:
        if not ANSWER_NAMES.intersection(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            locked = self.select_for_update(of=("self",)).values_list(
                "pk", *ANSWER_FIELDS, "case__dependency_id"
            )
            before = {pk: (answered_as(*values), values[-1]) for pk, *values in locked}
            status = kwargs.get("status")
            may_meet = not isinstance(status, str) or status in MET_STATUSES
            if not may_meet and all(key is None for key, _dep in before.values()):
                return super().update(**kwargs)  # no answer given, none taken back
            updated, ids = 0, list(before)
            for start in range(0, len(ids), 2000):
                chunk: models.QuerySet[CaseDeadline] = models.QuerySet(CaseDeadline, using=self.db)
                chunk = chunk.filter(pk__in=ids[start : start + 2000])
                updated += chunk.update(**kwargs)
                changes = [
                    (before[pk][0], answered_as(*values, before[pk][1]))
                    for pk, *values in chunk.values_list("pk", *ANSWER_FIELDS)
                ]
                AnswerDelta.record_many(changes, using=self.db)
            return updated

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[CaseDeadline]:
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise ValueError("the rollups cannot follow deadlines inserted on conflict")
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            met = [d for d in created if d.step == DeadlineStep.ANSWER and d.status in MET_STATUSES]
            if met:
                centres = dict(
                    Case.objects.using(self.db)
                    .filter(pk__in={d.case_id for d in met})
                    .values_list("pk", "dependency_id")
                )
                changes: list[tuple[Answered | None, Answered | None]] = [
                    (None, answered_as(*(getattr(d, f) for f in ANSWER_FIELDS), centres[d.case_id]))
                    for d in met
                ]
                AnswerDelta.record_many(changes, using=self.db)
        return created

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=self.db):
            gone = self.filter(step=DeadlineStep.ANSWER, status__in=MET_STATUSES)
            changes: list[tuple[Answered | None, Answered | None]] = [
                (answered_as(*values), None)
                for values in gone.values_list(*ANSWER_FIELDS, "case__dependency_id")
            ]
            AnswerDelta.record_many(changes, using=self.db)
            return super().delete()


class CaseDeadline(models.Model):
    """One step of one case that must happen by a date. The sweeper
    (enlace/cases/sweeper.py) wakes each row at `next_check_at` to remind, mark it missed or
    escalate; rows with nothing left to do have it empty and are never read."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="deadlines", db_index=False
    )
    step = models.CharField(_("step"), max_length=20, choices=DeadlineStep.choices)
    policy = models.ForeignKey(DeadlinePolicy, null=True, on_delete=models.SET_NULL)
    unit = models.CharField(max_length=10, choices=DayUnit.choices, default=DayUnit.BUSINESS)
    started_on = models.DateField(_("counted from"))
    due_on = models.DateField(_("due on"))
    remind_on = models.DateField(_("remind on"), null=True, blank=True)
    escalate_on = models.DateField(_("escalate on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    business_days_taken = models.PositiveIntegerField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    objects = CaseDeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("case deadline")
        verbose_name_plural = _("case deadlines")
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="case_deadline_unique_step")
        ]
        indexes = [
            # The sweeper reads only rows that are due to be looked at.
            models.Index(
                fields=["next_check_at"],
                name="deadline_next_check_idx",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["step", "due_on"], name="deadline_step_due_idx"),
            # The operator's figures: open deadlines, and how many are past their date
            # (enlace/ops/figures.py), without reading the met and cancelled ones.
            models.Index(
                fields=["due_on"],
                name="deadline_open_due_idx",
                condition=models.Q(status="open"),
            ),
            # Deadline compliance counts the steps met in a period.
            models.Index(fields=["step", "met_at"], name="deadline_step_met_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.due_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """An answer given or taken back (an answer deadline met, or no longer) appends its
        compliance delta in the same transaction; the stored row is read under its lock."""
        update_fields = kwargs.get("update_fields")
        touched = update_fields is None or ANSWER_NAMES.intersection(update_fields)
        new_and_open = self._state.adding and answered_as(*self._answer_values(), 0) is None
        if not touched or new_and_open:
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or "default"
        with transaction.atomic(using=using, savepoint=False):
            stored = None
            if not self._state.adding:
                rows = CaseDeadline.objects.using(using).select_for_update(of=("self",))
                stored = (
                    rows.filter(pk=self.pk)
                    .values_list(*ANSWER_FIELDS, "case__dependency_id")
                    .first()
                )
            super().save(*args, **kwargs)
            if stored is None:
                centre = (
                    Case.objects.using(using)
                    .filter(pk=self.case_id)
                    .values_list("dependency_id", flat=True)
                    .first()
                )
                before = None
            else:
                centre, before = stored[-1], answered_as(*stored)
            if update_fields is not None:
                written = set(update_fields)
                after_values = [
                    getattr(self, name) if name in written or stored is None else value
                    for name, value in zip(ANSWER_FIELDS, stored or ANSWER_FIELDS, strict=False)
                ]
            else:
                after_values = list(self._answer_values())
            AnswerDelta.record_many([(before, answered_as(*after_values, centre))], using=using)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        using = kwargs.get("using") or "default"
        with transaction.atomic(using=using):
            rows = CaseDeadline.objects.using(using).filter(pk=self.pk)
            stored = rows.values_list(*ANSWER_FIELDS, "case__dependency_id").first()
            deleted = super().delete(*args, **kwargs)
            if stored is not None:
                AnswerDelta.record_many([(answered_as(*stored), None)], using=using)
        return deleted

    def _answer_values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in ANSWER_FIELDS)


class RoutingRule(models.Model):
    """Suggests who must answer a case: the first active rule, in order, whose conditions all
    match (an empty condition matches anything) names the dependency to assign it to."""

    order = models.PositiveSmallIntegerField(_("order"), default=100)
    dependency = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("centre involved"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    opinion_type = models.ForeignKey(
        "catalogues.OpinionType",
        verbose_name=_("opinion type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    limitante = models.ForeignKey(
        "catalogues.Limitante",
        verbose_name=_("limitante"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    channel = models.ForeignKey(
        "catalogues.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    route_to = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("assign to"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.order}: → {self.route_to}"


class AnswerTemplate(models.Model):
    """A canned reply. Placeholders: {nombre}, {codigo}, {centro}, {fecha}, {tipo}."""

    name = models.CharField(_("name"), max_length=150)
    body = models.TextField(_("text"))
    opinion_type = models.ForeignKey(
        "catalogues.OpinionType",
        verbose_name=_("opinion type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: offered for every case."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """A list's filters and sort kept under a name by a person (`do_save_view`), for themselves
    or shared with everyone who sees cases: each applies them within their own scope."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # led by the unique key below
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    shared = models.BooleanField(_("shared with the team"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedview_owner_name_key")
        ]
        indexes = [
            models.Index(
                fields=["name"], name="savedview_shared_idx", condition=models.Q(shared=True)
            )
        ]

    def __str__(self) -> str:
        return self.name


class RollupDelta(models.Model):
    """A change to the rollups not yet folded into them: +1 for a key a case now counts as, -1
    for the key it no longer does. Written in the transaction that changed the case; appended,
    never updated, so concurrent writers never wait on a shared counter row. The sweeper folds
    them into the rollups (enlace/cases/rollups.py); readers add those still here."""

    day = models.DateField()
    kind = models.CharField(max_length=10)
    channel_id = models.PositiveIntegerField()
    dependency_id = models.PositiveIntegerField()
    level_of_care = models.CharField(max_length=20)
    opinion_type_id = models.PositiveIntegerField()
    limitante_id = models.PositiveIntegerField()
    topic_id = models.PositiveIntegerField()
    answered = models.BooleanField()
    n = models.IntegerField()  # +1 or -1 per case; an import appends its cases grouped

    class Meta:
        indexes = [models.Index(fields=["day"], name="rollupdelta_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.n:+d}"

    @classmethod
    def record(cls, before: Counted | None, after: Counted | None, *, using: str) -> None:
        """The deltas of one case counted as `before` and now as `after` (None: not counted)."""
        cls.record_many([(before, after)], using=using)

    @classmethod
    def record_many(
        cls, changes: list[tuple[Counted | None, Counted | None]], *, using: str
    ) -> None:
        rows = []
        for before, after in changes:
            if before == after:
                continue
            if before is not None:
                rows.append(RollupDelta(n=-1, **before._asdict()))
            if after is not None:
                rows.append(RollupDelta(n=1, **after._asdict()))
        if rows:
            RollupDelta.objects.using(using).bulk_create(rows, batch_size=2000)


CHANNEL_DIMENSIONS = ("kind", "dependency_id", "channel_id")
OPINION_DIMENSIONS = ("dependency_id", "level_of_care", "opinion_type_id", "answered")
LIMITANTE_DIMENSIONS = ("dependency_id", "level_of_care", "opinion_type_id", "limitante_id")
TOPIC_DIMENSIONS = ("dependency_id", "topic_id")
TREND_DIMENSIONS = ("kind", "opinion_type_id")


class AnswerDelta(models.Model):
    """A change to the compliance rollup not yet folded: +1 for an answer given (a met answer
    deadline) under its day, centre, business days and whether in time; -1 when taken back
    (reopened, moved to another centre, deleted). As `RollupDelta`, appended only."""

    day = models.DateField()
    dependency_id = models.PositiveIntegerField()
    business_days = models.IntegerField()
    in_time = models.BooleanField()
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="answerdelta_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.dependency_id} {self.n:+d}"

    @classmethod
    def record_many(
        cls, changes: list[tuple[Answered | None, Answered | None]], *, using: str
    ) -> None:
        rows = []
        for before, after in changes:
            if before == after:
                continue
            if before is not None:
                rows.append(AnswerDelta(n=-1, **before._asdict()))
            if after is not None:
                rows.append(AnswerDelta(n=1, **after._asdict()))
        if rows:
            AnswerDelta.objects.using(using).bulk_create(rows, batch_size=2000)


class Grain(models.TextChoices):
    DAY = "D", _("day")
    MONTH = "M", _("month")
    YEAR = "Y", _("year")


class Rollup(models.Model):
    """How many counted cases share a key on a day (grain D), in a month (grain M) or in a
    year (grain Y; `period` is the month's or the year's first day). A report reads the years
    it covers whole, then the whole months, then the days at its edges, so its time depends on
    the periods and keys it shows, not on the cases behind them."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.DateField()
    n = models.IntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.grain} {self.period}: {self.n}"

    DIMENSIONS: tuple[str, ...] = ()


def rollup_key(dimensions: tuple[str, ...], name: str) -> models.UniqueConstraint:
    """A rollup's key: one row per grain, period and value of its dimensions (the fold's
    upsert adds to it, `ON CONFLICT` on these columns)."""
    return models.UniqueConstraint(fields=["grain", "period", *dimensions], name=name)


class CentreRollup(Rollup):
    """A rollup kept per centre: a liaison's report reads only its centres' rows."""

    dependency_id = models.PositiveIntegerField()

    class Meta:
        abstract = True


class ChannelRollup(CentreRollup):
    """Cases per kind, centre and channel (the report's channel groups and channels)."""

    kind = models.CharField(max_length=10)
    channel_id = models.PositiveIntegerField()

    DIMENSIONS = CHANNEL_DIMENSIONS

    class Meta:
        constraints = [rollup_key(CHANNEL_DIMENSIONS, "channelrollup_key")]


class OpinionRollup(CentreRollup):
    """Opinions per centre, level of care, type and whether answered."""

    level_of_care = models.CharField(max_length=20)
    opinion_type_id = models.PositiveIntegerField()
    answered = models.BooleanField()

    DIMENSIONS = OPINION_DIMENSIONS

    class Meta:
        constraints = [rollup_key(OPINION_DIMENSIONS, "opinionrollup_key")]


class LimitanteRollup(CentreRollup):
    """Opinions with a limitante per centre, level of care, type and limitante."""

    level_of_care = models.CharField(max_length=20)
    opinion_type_id = models.PositiveIntegerField()
    limitante_id = models.PositiveIntegerField()

    DIMENSIONS = LIMITANTE_DIMENSIONS

    class Meta:
        constraints = [rollup_key(LIMITANTE_DIMENSIONS, "limitanterollup_key")]


class TopicRollup(CentreRollup):
    """Inquiries per centre and topic."""

    topic_id = models.PositiveIntegerField()

    DIMENSIONS = TOPIC_DIMENSIONS

    class Meta:
        constraints = [rollup_key(TOPIC_DIMENSIONS, "topicrollup_key")]


class TrendRollup(Rollup):
    """Cases per kind and opinion type, every centre together: the national month-by-month
    trend reads at most one row per kind and type a month, however many cases and centres the
    months hold. A report limited to some centres reads the per-centre rollups instead."""

    kind = models.CharField(max_length=10)
    opinion_type_id = models.PositiveIntegerField()

    DIMENSIONS = TREND_DIMENSIONS

    class Meta:
        constraints = [rollup_key(TREND_DIMENSIONS, "trendrollup_key")]


ANSWER_DIMENSIONS = ("dependency_id", "business_days", "in_time")


class AnswerRollup(CentreRollup):
    """Answers given per centre, business days taken and whether in time: the deadline
    compliance's counts and, as a histogram, its median."""

    business_days = models.IntegerField()
    in_time = models.BooleanField()

    DIMENSIONS = ANSWER_DIMENSIONS

    class Meta:
        constraints = [rollup_key(ANSWER_DIMENSIONS, "answerrollup_key")]


class RollupCheck(models.Model):
    """Each time the rollups were built from the cases or compared with them: when, over which
    days, how many keys differed and were repaired. A history, never edited."""

    class Kind(models.TextChoices):
        EMPTY = "empty", _("started with no cases")
        REBUILT = "rebuilt", _("rebuilt from the cases")
        VERIFIED = "verified", _("compared with the cases")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    differences = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "-at"], name="rollupcheck_kind_at_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}: {self.differences}"
