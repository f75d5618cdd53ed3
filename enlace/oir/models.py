"""Public-information requests under the LAIP (Decreto 534): the request, its items
(requerimientos) each sent to the unit that holds the information and resolved with its own
outcome, the clarifications that stop the clock, the resolution document, the appeals before
the IAIP, the index of reserved information, and the history of it all as event rows.

The legal due date is stored on the request (`due_on`), kept by the actions through the pure
arithmetic of `enlace/oir/deadlines.py`, so lists filter and sort by it from an index; the
computed states (due soon, overdue, very overdue) are comparisons of that date with two dates
worked out for today (`deadlines.state_bounds`).
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enlace.core.models import AppendOnlyModel
from enlace.oir.rules import add_years


class RequestStatus(models.TextChoices):
    # A request (solicitud) is feminine in Spanish, a case is not: its own context.
    RECEIVED = "received", pgettext_lazy("information request", "Received")
    CLARIFICATION = "clarification", _("Waiting for clarification")
    IN_PROCESS = "in_process", _("In process")
    EXTENDED = "extended", _("Extended")
    RESOLVED = "resolved", _("Resolved")
    NOTIFIED = "notified", _("Notified")


OPEN_REQUEST_STATUSES = (
    RequestStatus.RECEIVED,
    RequestStatus.CLARIFICATION,
    RequestStatus.IN_PROCESS,
    RequestStatus.EXTENDED,
)
DONE_REQUEST_STATUSES = (RequestStatus.RESOLVED, RequestStatus.NOTIFIED)


class RequestChannel(models.TextChoices):
    PORTAL = "portal", _("Web portal")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")


class PersonType(models.TextChoices):
    NATURAL = "natural", _("Natural person")
    JURIDICAL = "juridical", _("Juridical person")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNSTATED = "unstated", _("Not stated")


class IdentityDocument(models.TextChoices):
    DUI = "dui", _("DUI")
    PASSPORT = "passport", _("Passport")
    RESIDENCE = "residence", _("Residence card")
    NIT = "nit", _("NIT (juridical person)")
    OTHER = "other", _("Other")


class NotifyBy(models.TextChoices):
    EMAIL = "email", _("E-mail")
    ADDRESS = "address", _("At an address")
    OFFICE = "office", _("In person at the OIR")


class DeliveryMode(models.TextChoices):
    DIRECT = "direct", _("Direct consultation")
    SIMPLE_COPY = "simple_copy", _("Simple copy")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    ELECTRONIC = "electronic", _("Electronic")


class NotificationMedium(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")
    ADDRESS = "address", _("At the address given")
    OTHER = "other", _("Other")


class RequestCounter(models.Model):
    """The last correlative number given in a year: locked while a request takes the next, so
    numbers are gap-free and unique under concurrency on every database."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class InformationRequest(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    channel = models.CharField(_("channel"), max_length=20, choices=RequestChannel.choices)

    requester_name = models.CharField(_("name"), max_length=200)
    person_type = models.CharField(
        _("person"), max_length=10, choices=PersonType.choices, default=PersonType.NATURAL
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNSTATED
    )
    document_type = models.CharField(
        _("identity document"), max_length=10, choices=IdentityDocument.choices
    )
    document_number = models.CharField(_("document number"), max_length=30)
    notify_by = models.CharField(_("notify by"), max_length=10, choices=NotifyBy.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    description = models.TextField(_("information requested"))
    delivery_mode = models.CharField(
        _("delivery mode"), max_length=20, choices=DeliveryMode.choices, blank=True
    )

    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("received on"))  # the local date: the count starts from it
    old_information = models.BooleanField(_("information more than five years old"), default=False)
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_on = models.DateField(_("extended on"), null=True, blank=True)
    # The last day on which the answer is in time; empty while a clarification is pending.
    due_on = models.DateField(_("legal due date"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(
        _("business days waiting for clarification"), default=0
    )
    # Reminders (enlace/oir/sweeper.py): the deadline level the officer was last told of
    # (deadlines.AlertLevel), the day it was told, and when the sweeper must look at the
    # request again (empty: nothing left to remind, or the clock is stopped).
    alert_level = models.PositiveSmallIntegerField(default=0, editable=False)
    alerted_on = models.DateField(null=True, blank=True, editable=False)
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False)

    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    # Business days from receipt to resolution, less those waiting for a clarification,
    # stored on resolution so that statistics average and take medians in SQL.
    business_days_to_answer = models.PositiveIntegerField(null=True, blank=True)
    resolution_notes = models.TextField(_("considerations"), blank=True)
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    notification_medium = models.CharField(
        _("notification medium"), max_length=20, choices=NotificationMedium.choices, blank=True
    )

    # The public register: a summary without personal data, written by the officer.
    published = models.BooleanField(_("in the public register"), default=False)
    public_summary = models.TextField(_("public summary"), blank=True)

    source_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("source message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="information_requests",
    )
    # The portal's form token: a double submit is one request.
    intake_token = models.UUIDField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="oir_request_year_seq"),
            models.UniqueConstraint(
                fields=["intake_token"],
                condition=models.Q(intake_token__isnull=False),
                name="oir_request_intake_token",
            ),
            models.CheckConstraint(
                condition=~models.Q(description=""), name="oir_request_has_description"
            ),
            models.CheckConstraint(
                condition=~models.Q(notify_by="email") | ~models.Q(email=""),
                name="oir_request_email_to_notify",
            ),
            models.CheckConstraint(
                condition=~models.Q(notify_by="address") | ~models.Q(address=""),
                name="oir_request_address_to_notify",
            ),
            models.CheckConstraint(
                condition=models.Q(extended=False) | ~models.Q(extension_reason=""),
                name="oir_request_extension_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(notified_on__isnull=True)
                | models.Q(resolved_on__isnull=False, notified_on__gte=models.F("resolved_on")),
                name="oir_request_notified_after_resolution",
            ),
        ]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="oir_request_received_idx"),
            models.Index(fields=["status", "due_on"], name="oir_request_status_due_idx"),
            models.Index(fields=["due_on", "id"], name="oir_request_due_idx"),
            # The officer's work order: open requests, the most urgent first.
            models.Index(
                fields=["due_on", "id"],
                name="oir_request_open_due_idx",
                condition=models.Q(status__in=[s.value for s in OPEN_REQUEST_STATUSES]),
            ),
            models.Index(
                fields=["next_check_at"],
                name="oir_request_check_idx",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["received_on"], name="oir_request_received_on_idx"),
            models.Index(fields=["resolved_on"], name="oir_request_resolved_on_idx"),
            models.Index(
                fields=["-resolved_on", "-id"],
                name="oir_request_public_idx",
                condition=models.Q(published=True),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Not yet sent")
    SENT = "sent", _("Sent to the unit")
    ANSWERED = "answered", _("Answered by the unit")
    DECIDED = "decided", _("Decided")


class Outcome(models.TextChoices):
    DELIVERED = "delivered", _("Delivered in full")
    PARTIAL = "partial", _("Delivered in part or as a public version")
    RESERVED = "reserved", _("Denied: reserved information")
    CONFIDENTIAL = "confidential", _("Denied: confidential information")
    NONEXISTENT = "nonexistent", _("Non-existent information")
    NOT_COMPETENT = "not_competent", _("Not this institution's (referred)")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConfidentialGround(models.TextChoices):
    """Article 24 of the LAIP."""

    PRIVACY = "art24_a", _("Art. 24 a): personal and family privacy, honour, medical records")
    GIVEN_IN_CONFIDENCE = "art24_b", _("Art. 24 b): given in confidence by private parties")
    PERSONAL_DATA = "art24_c", _("Art. 24 c): personal data that need consent to be disclosed")
    SECRETS = "art24_d", _("Art. 24 d): professional, commercial, fiscal or banking secrets")


class UnitFinding(models.TextChoices):
    FOUND = "found", _("The information is attached or described")
    NOT_FOUND = "not_found", _("The information does not exist in the unit")


class ReservedEntry(models.Model):
    """An entry of the index of reserved information (índice de información reservada)."""

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    information = models.TextField(_("information reserved"))
    dependency = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="reserved_entries",
    )
    legal_article = models.CharField(_("legal ground (article)"), max_length=120)
    cause = models.TextField(_("cause"))
    classified_on = models.DateField(_("classified on"))
    period_years = models.PositiveSmallIntegerField(_("period (years)"))
    declassified_on = models.DateField(_("declassified on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reserved information entry")
        verbose_name_plural = _("index of reserved information")
        ordering = ["-classified_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_years__gte=1, period_years__lte=7),
                name="oir_reserved_period_1_to_7_years",
            ),
            models.CheckConstraint(
                condition=~models.Q(legal_article="") & ~models.Q(cause=""),
                name="oir_reserved_has_ground",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.legal_article}"

    @property
    def expires_on(self) -> date:
        return add_years(self.classified_on, self.period_years)

    def in_force(self, day: date) -> bool:
        """Whether the reservation covers `day`: classified by then, not expired nor lifted."""
        if self.declassified_on is not None and self.declassified_on <= day:
            return False
        return self.classified_on <= day < self.expires_on


def unit_file_path(item: RequestItem, filename: str) -> str:
    """A stored name without the original's words (they may name a person): the request, a
    random part and the original's extension when it is a plain one."""
    extension = Path(filename).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", extension):
        extension = ""
    return f"oir/unit-files/{item.request_id}/{uuid.uuid4().hex}{extension}"


class RequestItem(models.Model):
    """One requerimiento of a request: what is asked, the unit that holds it, and its outcome."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("item"))
    description = models.TextField(_("information requested"))
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    dependency = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="information_items",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    internal_due_on = models.DateField(_("internal due date"), null=True, blank=True)
    unit_finding = models.CharField(
        _("unit's finding"), max_length=10, choices=UnitFinding.choices, blank=True
    )
    unit_answer = models.TextField(_("unit's answer"), blank=True)
    unit_answered_at = models.DateTimeField(_("answered by the unit at"), null=True, blank=True)
    unit_answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_file_name = models.CharField(_("file"), max_length=200, blank=True)
    unit_file_type = models.CharField(max_length=100, blank=True)
    # In the default storage (MEDIA_ROOT, or object storage), under a name that says nothing
    # of its contents; the name the unit gave it is unit_file_name.
    unit_file = models.FileField(
        upload_to=unit_file_path, max_length=200, blank=True, editable=False
    )

    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    answer = models.TextField(_("answer to the requester"), blank=True)
    reserved_entry = models.ForeignKey(
        ReservedEntry,
        verbose_name=_("entry of the reserved index"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    confidential_ground = models.CharField(
        _("confidentiality ground"), max_length=10, choices=ConfidentialGround.choices, blank=True
    )
    referral = models.CharField(_("referred to"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Reminders to the unit, as on the request: the level of the internal due date last told,
    # the day, and when to look again (empty once answered or decided).
    alert_level = models.PositiveSmallIntegerField(default=0, editable=False)
    alerted_on = models.DateField(null=True, blank=True, editable=False)
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="oir_item_position"),
            models.CheckConstraint(
                condition=~models.Q(outcome="reserved") | models.Q(reserved_entry__isnull=False),
                name="oir_item_reserved_cites_entry",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="confidential") | ~models.Q(confidential_ground=""),
                name="oir_item_confidential_cites_ground",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="partial")
                | models.Q(reserved_entry__isnull=False)
                | ~models.Q(confidential_ground=""),
                name="oir_item_partial_cites_ground",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="not_competent") | ~models.Q(referral=""),
                name="oir_item_referral",
            ),
        ]
        indexes = [
            models.Index(fields=["dependency", "status"], name="oir_item_unit_idx"),
            models.Index(fields=["outcome"], name="oir_item_outcome_idx"),
            models.Index(
                fields=["next_check_at"],
                name="oir_item_check_idx",
                condition=models.Q(next_check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.position}"


class Clarification(models.Model):
    """A prevención: the officer asks the requester to clarify; the clock stops until the
    answer."""

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="clarifications"
    )
    question = models.TextField(_("what is asked"))
    asked_on = models.DateField(_("asked on"))
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    previous_status = models.CharField(max_length=20, choices=RequestStatus.choices)

    class Meta:
        ordering = ["asked_on", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.asked_on}"


def resolution_path(document: ResolutionDocument, filename: str) -> str:
    return f"oir/resolutions/{document.request_id}/{uuid.uuid4().hex}.pdf"


class ResolutionDocument(models.Model):
    """The resolution as issued: the PDF generated from the templates per outcome, kept as it
    was sent (re-rendering later could differ)."""

    request = models.OneToOneField(
        InformationRequest, on_delete=models.CASCADE, related_name="document"
    )
    # The PDF as issued, in the default storage (MEDIA_ROOT, or object storage).
    pdf = models.FileField(upload_to=resolution_path, max_length=200, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.request_id}"

    @property
    def filename(self) -> str:
        return f"resolucion-{self.request.number}.pdf"


class AppealKind(models.TextChoices):
    APPEAL = "appeal", _("Appeal (recurso de apelación)")
    COMPLAINT = "complaint", _("Complaint for lack of answer")


class AppealOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Resolution confirmed")
    REVOKED = "revoked", _("Resolution revoked: information ordered delivered")
    MODIFIED = "modified", _("Resolution modified")
    INADMISSIBLE = "inadmissible", _("Inadmissible")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UPHELD = "upheld", _("Complaint upheld")
    DISMISSED = "dismissed", _("Complaint dismissed")


class Appeal(models.Model):
    """An appeal or complaint before the IAIP about a request."""

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="appeals"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AppealKind.choices)
    case_number = models.CharField(_("IAIP case number"), max_length=40)
    filed_on = models.DateField(_("filed on"))
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=AppealOutcome.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["filed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case_number"], name="oir_appeal_case_number"),
            models.CheckConstraint(
                condition=models.Q(decided_on__isnull=True) | ~models.Q(outcome=""),
                name="oir_appeal_decision_has_outcome",
            ),
        ]
        indexes = [models.Index(fields=["filed_on"], name="oir_appeal_filed_idx")]

    def __str__(self) -> str:
        return self.case_number


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ITEM_ADDED = "item_added", _("Item added")
    ITEM_SENT = "item_sent", _("Item sent to a unit")
    UNIT_ANSWERED = "unit_answered", _("Unit answered")
    ITEM_DECIDED = "item_decided", _("Item decided")
    CLARIFICATION_ASKED = "clarification_asked", _("Clarification asked")
    CLARIFICATION_ANSWERED = "clarification_answered", _("Clarification answered")
    OLD_INFORMATION = "old_information", _("Age of the information")
    EXTENDED = "extended", _("Extended")
    RESOLVED = "resolved", _("Resolution issued")
    NOTIFIED = "notified", _("Notified")
    NOTIFICATION_QUEUED = "notification_queued", _("Notification sent by e-mail")
    PUBLISHED = "published", _("Public register")
    APPEAL = "appeal", _("Appeal before the IAIP")
    APPEAL_DECIDED = "appeal_decided", _("IAIP decision")
    DEADLINE_ALERT = "deadline_alert", _("Deadline alert to the officer")
    ITEM_REMINDER = "item_reminder", _("Reminder to the unit")
    COMMENTED = "commented", _("Note")


class RequestEvent(AppendOnlyModel):
    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="events")
    item = models.ForeignKey(
        RequestItem, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("when"))
    from_status = models.CharField(
        _("from status"), max_length=20, choices=RequestStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=20, choices=RequestStatus.choices, blank=True
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="oir_event_request_idx")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"
