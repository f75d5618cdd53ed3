"""Outbound call campaigns: the call centre calls a list of people for a purpose (an appointment
to confirm or move, a pensioner's proof of life, a health campaign, a survey).

A `Campaign` holds its purpose, script, calling windows (`CallingWindow` per weekday, on the
business-day calendar), retry rules and period; its `Contact` rows are the people to call, each
with the campaign's own columns kept as data. An agent claims the next contact with a lease
(`lease_holder`, `lease_until`); every call recorded is an `Attempt` row (history is rows), and
the contact's state and next attempt follow from the outcome (enlace/campaigns/rules.py). A
person who asked not to be called, or who died, is on the `DoNotCall` register, which no later
outcome undoes and which keeps them out of every later list. `CampaignEvent` is the campaign's
own history (started, paused, a list imported...).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Purpose(models.TextChoices):
    APPOINTMENT_CONFIRMATION = "appointment_confirmation", _("Appointment confirmation")
    APPOINTMENT_RESCHEDULE = "appointment_reschedule", _("Appointment reschedule")
    PROCEDURE_RESCHEDULE = "procedure_reschedule", _("Procedure or surgery reschedule")
    PROOF_OF_LIFE = "proof_of_life", _("Pensioners' proof-of-life reminder")
    HEALTH_CAMPAIGN = "health_campaign", _("Health-campaign invitation")
    SATISFACTION_SURVEY = "satisfaction_survey", _("Satisfaction survey")
    OTHER = "other", _("Other")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    FINISHED = "finished", _("Finished")


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    # The dependency that asked for it (a hospital's appointments office); None: the unit's own.
    requested_by = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the agent says, with {placeholders} from the list's columns ({nombre}, {fecha_cita}).
    script = models.TextField(_("script"), blank=True)
    # A survey campaign: the study whose questionnaire the agent fills during the call.
    study = models.ForeignKey(
        "surveys.Study",
        verbose_name=_("study"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=5)  # 1 (low) to 9
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=5)
    # Minutes to wait before calling again, per outcome that leaves the contact to call.
    retry_busy_minutes = models.PositiveIntegerField(_("retry after busy (minutes)"), default=30)
    retry_no_answer_minutes = models.PositiveIntegerField(
        _("retry after no answer (minutes)"), default=120
    )
    retry_voicemail_minutes = models.PositiveIntegerField(
        _("retry after voicemail (minutes)"), default=240
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # The agents who call on it; none: every agent of the call centre.
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("agents"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "ends_on"], name="campaign_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period"
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1) & Q(max_attempts__lte=20),
                name="campaign_max_attempts",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallingWindow(models.Model):
    """When the campaign calls on a weekday (0 Monday ... 6 Sunday); never on a holiday."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("calling window")
        verbose_name_plural = _("calling windows")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="window_order"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="window_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class ContactState(models.TextChoices):
    TO_CALL = "to_call", _("To call")
    DONE = "done", _("Done")  # a final outcome was reached
    UNREACHABLE = "unreachable", _("Unreachable")  # attempts used up, or the campaign ended
    EXCLUDED = "excluded", _("Left out")  # on the do-not-call register when imported


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")
    INFORMED = "informed", _("Informed (message given)")
    SURVEYED = "surveyed", _("Survey answered")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    VOICEMAIL = "voicemail", _("Voicemail")
    CALL_BACK = "call_back", _("Call back later")
    REFUSED = "refused", pgettext_lazy("call outcome", "Refused")
    DECEASED = "deceased", _("Deceased")
    DO_NOT_CALL = "do_not_call", _("Do not call again")


# A contact with no next attempt may be called at once: as if due since long ago.
ALWAYS_DUE = datetime(1970, 1, 1, tzinfo=UTC)


def due_at() -> Coalesce:
    """When the contact may be called: its next attempt, or ALWAYS_DUE. The queue's index holds
    it, so the rows not due yet (callbacks and retries for later) are passed over in the index
    without reading the table: filter on it as `due_at() <= now`, not on next_attempt_at."""
    return Coalesce("next_attempt_at", Value(ALWAYS_DUE))


class Contact(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=16)  # E.164
    phone_alt = models.CharField(_("other phone"), max_length=16, blank=True)
    dui = models.CharField(_("DUI"), max_length=10, blank=True)
    affiliation = models.CharField(_("affiliation number"), max_length=20, blank=True)
    # The campaign's own columns (the appointment's date and place...), as imported.
    data = models.JSONField(_("data"), default=dict, blank=True)
    # The line of the list it came from (the first, if merged with duplicates).
    line = models.PositiveIntegerField(_("line"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    state = models.CharField(
        _("state"), max_length=12, choices=ContactState.choices, default=ContactState.TO_CALL
    )
    excluded_reason = models.CharField(_("reason left out"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Not to be called before this (a retry's delay, a callback's hour); None: at once.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    callback = models.BooleanField(_("callback"), default=False)
    lease_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("being called by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # contact_lease_idx leads with it
    )
    lease_until = models.DateTimeField(_("held until"), null=True, blank=True)
    # Counts the outcomes recorded: the first of two agents to record wins (enlace/campaigns/
    # actions.py `do_record_outcome` writes only if it is what the agent saw).
    version = models.PositiveIntegerField(default=0)
    last_outcome = models.CharField(
        _("last outcome"), max_length=15, choices=Outcome.choices, blank=True
    )
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # A rescheduled appointment's new date and time.
    rescheduled_to = models.DateTimeField(_("rescheduled to"), null=True, blank=True)
    # The call being made to them now (the call log's outbound call), until the outcome.
    open_call = models.ForeignKey(
        "callcentre.Call",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            # The next contact to call (actions.py `do_claim_next`): callbacks first, then
            # priority, then fewest attempts, among those to call and due (`due_at()`, last,
            # checked in the index: the contacts due later are skipped without a table read).
            models.Index(
                "campaign",
                models.F("callback").desc(),
                models.F("priority").desc(),
                "attempts",
                "id",
                due_at(),
                name="contact_queue_idx",
                condition=Q(state="to_call"),
            ),
            models.Index(
                fields=["lease_holder", "lease_until"],
                name="contact_lease_idx",
                condition=Q(lease_holder__isnull=False),
            ),
            models.Index(fields=["phone"], name="contact_phone_idx"),
            models.Index(fields=["dui"], name="contact_dui_idx", condition=~Q(dui="")),
            models.Index(fields=["campaign", "state"], name="contact_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.pk}"


class ContactImport(models.Model):
    """A list imported into a campaign: what it added, and the rows it rejected (as CSV, to be
    fixed and imported again)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("file"), max_length=200)
    added = models.PositiveIntegerField(_("added"))
    merged = models.PositiveIntegerField(_("merged"))
    excluded = models.PositiveIntegerField(_("left out"))
    rejected_count = models.PositiveIntegerField(_("rejected"))
    rejected = models.TextField(_("rejected rows"), blank=True)

    class Meta:
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.name


class Attempt(models.Model):
    """One call to a contact and how it went."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="calls")
    # Denormalised from the contact: the progress counts attempts per campaign without a join.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices)
    phone = models.CharField(_("phone called"), max_length=16)
    note = models.TextField(_("note"), blank=True)
    rescheduled_to = models.DateTimeField(_("rescheduled to"), null=True, blank=True)
    call_back_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    # The call in the call log (outbound), and the case registered from what the person said
    # during it, if any.
    call = models.ForeignKey(
        "callcentre.Call",
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "at"], name="attempt_campaign_idx"),
            models.Index(fields=["agent", "at"], name="attempt_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.outcome}"


class DoNotCallReason(models.TextChoices):
    ASKED = "asked", _("Asked not to be called")
    DECEASED = "deceased", _("Deceased")


class DoNotCall(models.Model):
    """A person not to be called on any campaign: by phone, and by DUI when known. Only the
    register's keeper removes an entry; no outcome does."""

    phone = models.CharField(_("phone"), max_length=16, blank=True)
    dui = models.CharField(_("DUI"), max_length=10, blank=True)
    reason = models.CharField(_("reason"), max_length=10, choices=DoNotCallReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("since"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("do-not-call entry")
        verbose_name_plural = _("do-not-call register")
        indexes = [
            models.Index(fields=["phone"], name="dnc_phone_idx", condition=~Q(phone="")),
            models.Index(fields=["dui"], name="dnc_dui_idx", condition=~Q(dui="")),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(phone="") | ~Q(dui=""), name="dnc_someone"),
        ]

    def __str__(self) -> str:
        return self.phone or self.dui


class CampaignEvent(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.action}"
