"""The call centre's log: one `Call` per call the telephone system (PBX) reports, built from its
events (ringing, answered, hangup) by the `cti` channel plug-in, and closed by the agent's
wrap-up code. `Extension` tells which user answers on a PBX extension. `IndicatorTarget` holds
the supervisor's targets for the management figures (figures.py), as data. `Evaluation` and
`EvaluationAnswer` are the quality evaluations of the agents' work (a call, or a written answer)
on a checklist of enlace/surveys; their scores are computed from the answers in SQL
(quality_queries.py), never stored."""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enlace.cases.rules import format_phone
from enlace.surveys.models import YesNo


class WrapUp(models.TextChoices):
    """How a call ended, chosen by the agent (a small, fixed catalogue)."""

    INQUIRY_ANSWERED = "inquiry_answered", _("Inquiry answered")
    OPINION_REGISTERED = "opinion_registered", _("Opinion registered")
    TRANSFERRED = "transferred", _("Transferred")
    DROPPED = "dropped", _("Dropped")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    OTHER = "other", _("Other")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound (line 127)")
    # Made by an agent on a campaign (enlace/campaigns), dialled from the call page.
    OUTBOUND = "outbound", _("Outbound (campaign)")


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", _("Ended")


class Extension(models.Model):
    """A PBX extension and the agent who answers on it: CTI events name either the agent's
    username or their extension."""

    number = models.CharField(_("extension"), max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return self.number


class Call(models.Model):
    pbx_call_id = models.CharField(_("PBX call id"), max_length=100, unique=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    # E.164 when the number is a valid Salvadoran one; otherwise as the PBX sent it.
    caller = models.CharField(_("caller number"), max_length=32, blank=True)
    caller_dui = models.CharField(_("caller DUI"), max_length=10, blank=True)
    # The earliest moment known of the call (its ringing, or the first event that arrived).
    started_at = models.DateTimeField(_("started at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        db_index=False,  # the (agent, started_at) index serves it
    )
    wrap_up = models.CharField(_("wrap-up"), max_length=20, choices=WrapUp.choices, blank=True)
    wrap_up_note = models.TextField(_("wrap-up note"), blank=True)
    wrapped_up_at = models.DateTimeField(_("wrapped up at"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="call_started_idx"),
            models.Index(fields=["agent", "-started_at"], name="call_agent_started_idx"),
            models.Index(fields=["caller"], name="call_caller_idx"),
        ]

    def __str__(self) -> str:
        return self.pbx_call_id

    @property
    def state(self) -> CallState:
        if self.ended_at is not None:
            return CallState.ENDED
        if self.answered_at is not None:
            return CallState.ANSWERED
        return CallState.RINGING

    @property
    def duration_seconds(self) -> int | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.answered_at).total_seconds()))

    @property
    def display_caller(self) -> str:
        return format_phone(self.caller) if self.caller else ""


class Indicator(models.TextChoices):
    """The call centre's management indicators that take a target (figures.py computes them)."""

    SERVICE_LEVEL = "service_level", _("Service level")
    ABANDON_RATE = "abandon_rate", _("Abandon rate")
    ASA = "asa", _("Average speed of answer")
    AHT = "aht", _("Average handling time")
    FIRST_CONTACT_RESOLUTION = "first_contact_resolution", _("First-contact resolution")
    # The mean score of the period's quality evaluations (`Evaluation`, quality_queries.py).
    QUALITY_SCORE = "quality_score", _("Quality score")


class Better(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Unit(StrEnum):
    PERCENT = "percent"
    SECONDS = "seconds"


# What each indicator is measured in, and which way is better when nobody says otherwise.
UNITS: dict[str, Unit] = {
    Indicator.SERVICE_LEVEL: Unit.PERCENT,
    Indicator.ABANDON_RATE: Unit.PERCENT,
    Indicator.ASA: Unit.SECONDS,
    Indicator.AHT: Unit.SECONDS,
    Indicator.FIRST_CONTACT_RESOLUTION: Unit.PERCENT,
    Indicator.QUALITY_SCORE: Unit.PERCENT,
}
USUALLY_BETTER: dict[str, Better] = {
    Indicator.SERVICE_LEVEL: Better.HIGHER,
    Indicator.ABANDON_RATE: Better.LOWER,
    Indicator.ASA: Better.LOWER,
    Indicator.AHT: Better.LOWER,
    Indicator.FIRST_CONTACT_RESOLUTION: Better.HIGHER,
    Indicator.QUALITY_SCORE: Better.HIGHER,
}


class IndicatorTarget(models.Model):
    """The target of one indicator from a date on: the figures of a period are judged against
    the target in force on its last day (the latest `valid_from` not after it). A new target is
    a new row, so earlier periods keep being judged against the target they had."""

    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    target = models.DecimalField(
        _("target"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    better = models.CharField(_("better when"), max_length=6, choices=Better.choices)
    valid_from = models.DateField(_("valid from"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indicator", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "valid_from"], name="indicator_target_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} {self.target} ({self.valid_from})"

    @property
    def unit(self) -> Unit:
        return UNITS[self.indicator]


class Evaluation(models.Model):
    """A supervisor's evaluation of one piece of an agent's work on an evaluation form (a
    published version of a checklist instrument of enlace/surveys): a call, inbound or
    outbound, or a written answer (the answer of a case, written by the agent). One
    `EvaluationAnswer` per item of the form. Its score and whether it failed are computed from
    those rows (quality_queries.py); the agent reads it and acknowledges it, once."""

    version = models.ForeignKey(
        "surveys.InstrumentVersion",
        verbose_name=_("evaluation form"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="quality_evaluations",
        db_index=False,  # the (agent, evaluated_at) index serves it
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What was evaluated: exactly one of a call and a case (its written answer).
    call = models.ForeignKey(
        Call,
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
        db_index=False,  # the (call, evaluator) constraint's index serves it
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("written answer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (case, evaluator) constraint's index serves it
    )
    evaluated_at = models.DateTimeField(_("evaluated at"))
    comment = models.TextField(_("comment"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    agent_comment = models.TextField(_("agent's reply"), blank=True)

    class Meta:
        verbose_name = _("quality evaluation")
        verbose_name_plural = _("quality evaluations")
        ordering = ["-evaluated_at", "-id"]
        indexes = [
            models.Index(fields=["-evaluated_at", "-id"], name="evaluation_at_idx"),
            models.Index(fields=["agent", "-evaluated_at"], name="evaluation_agent_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(call__isnull=False, case__isnull=True)
                | Q(call__isnull=True, case__isnull=False),
                name="evaluation_of_a_call_or_an_answer",
            ),
            # The same evaluator evaluates the same work once (two evaluators: calibration).
            models.UniqueConstraint(
                fields=["call", "evaluator"],
                condition=Q(call__isnull=False),
                name="evaluation_call_once",
            ),
            models.UniqueConstraint(
                fields=["case", "evaluator"],
                condition=Q(case__isnull=False),
                name="evaluation_case_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.agent_id} ({self.evaluated_at:%Y-%m-%d})"

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class EvaluationAnswer(models.Model):
    """The value an item of the form was given in an evaluation (yes, no, not applicable), and
    the evaluator's note on it."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        "surveys.Question", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.CharField(_("value"), max_length=3, choices=YesNo.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("evaluated item")
        verbose_name_plural = _("evaluated items")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "question"], name="evaluation_answer_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.question_id} = {self.value}"
