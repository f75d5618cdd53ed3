"""Every write of the call centre's quality evaluations: a supervisor evaluates a call or a
written answer on a checklist, the agent acknowledges it. Each action runs in one transaction and
checks everything before it writes (`BusinessError` with the reason, on the field it concerns
when there is one: `version`, `item-<question id>`, `comment`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.callcentre.models import Call, Evaluation, EvaluationAnswer
from enlace.callcentre.quality_queries import answer_writer, evaluates, items_of
from enlace.callcentre.queries import CONSOLE_ROLES
from enlace.cases.models import Case
from enlace.core.errors import BusinessError
from enlace.surveys.models import InstrumentKind, InstrumentVersion, VersionStatus, YesNo

NOTE_LIMIT = 2000


@dataclass(frozen=True)
class ItemValue:
    """What the evaluator gave an item: yes, no or not applicable ("na"), and a note."""

    value: str
    note: str = ""


def item_field(question_id: int) -> str:
    """The name of an item's field on the form (and of a `BusinessError` about it)."""
    return f"item-{question_id}"


def _check_evaluator(user: User) -> None:
    if not evaluates(user):
        raise BusinessError(_("Your role does not evaluate the call centre's work."))


def _check_form(version: InstrumentVersion) -> None:
    if version.status != VersionStatus.PUBLISHED or (
        version.instrument.kind != InstrumentKind.CHECKLIST
    ):
        raise BusinessError(
            _("The evaluation form must be a published version of a checklist."), field="version"
        )


def _answer_rows(
    version: InstrumentVersion, answers: Mapping[int, ItemValue]
) -> list[EvaluationAnswer]:
    """One row per item of the form: every item answered, with yes, no or n/a, and nothing
    that is not an item of this form."""
    items = items_of(version)
    known = {item.pk for item in items}
    if any(question_id not in known for question_id in answers):
        raise BusinessError(_("An answer is for an item that is not on this form."))
    rows = []
    for item in items:
        given = answers.get(item.pk)
        if given is None or not given.value:
            raise BusinessError(_("Answer every item of the form."), field=item_field(item.pk))
        if given.value not in YesNo.values:
            raise BusinessError(_("Answer yes, no or not applicable."), field=item_field(item.pk))
        rows.append(
            EvaluationAnswer(question=item, value=given.value, note=given.note.strip()[:NOTE_LIMIT])
        )
    if not rows:
        raise BusinessError(_("This form has no yes / no item to evaluate."), field="version")
    return rows


def _create(
    *,
    version: InstrumentVersion,
    agent: User,
    evaluator: User,
    call: Call | None,
    case: Case | None,
    rows: list[EvaluationAnswer],
    comment: str,
    twice: str,
) -> Evaluation:
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                version=version,
                agent=agent,
                evaluator=evaluator,
                call=call,
                case=case,
                evaluated_at=timezone.now(),
                comment=comment.strip()[:NOTE_LIMIT],
            )
            for row in rows:
                row.evaluation = evaluation
            EvaluationAnswer.objects.bulk_create(rows)
    except IntegrityError:  # the same evaluator's other request, at the same moment
        raise BusinessError(twice) from None
    return evaluation


def _check_agent(agent: User | None, evaluator: User, missing: str) -> User:
    if agent is None:
        raise BusinessError(missing)
    if agent.pk == evaluator.pk:
        raise BusinessError(_("No one evaluates their own work."))
    return agent


def do_evaluate_call(
    call: Call,
    version: InstrumentVersion,
    answers: Mapping[int, ItemValue],
    comment: str = "",
    *,
    acting_user: User,
) -> Evaluation:
    """A supervisor's evaluation of a call (inbound or outbound) of its agent, on a published
    checklist: every item answered. The same evaluator evaluates a call once; a second
    evaluator of the same call makes a calibration pair."""
    _check_evaluator(acting_user)
    _check_form(version)
    rows = _answer_rows(version, answers)
    twice = _("You have already evaluated this call.")
    with transaction.atomic():
        call = Call.objects.select_for_update(of=("self",)).select_related("agent").get(pk=call.pk)
        agent = _check_agent(call.agent, acting_user, _("This call has no agent to evaluate."))
        if call.answered_at is None:
            raise BusinessError(_("Only an answered call can be evaluated."))
        if Evaluation.objects.filter(call=call, evaluator=acting_user).exists():
            raise BusinessError(twice)
        return _create(
            version=version,
            agent=agent,
            evaluator=acting_user,
            call=call,
            case=None,
            rows=rows,
            comment=comment,
            twice=twice,
        )


def do_evaluate_answer(
    case: Case,
    version: InstrumentVersion,
    answers: Mapping[int, ItemValue],
    comment: str = "",
    *,
    acting_user: User,
) -> Evaluation:
    """A supervisor's evaluation of the answer a case gave the citizen, written by a call-centre
    agent (the person of the case's latest event carrying the answer)."""
    _check_evaluator(acting_user)
    _check_form(version)
    rows = _answer_rows(version, answers)
    twice = _("You have already evaluated this answer.")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        writer = answer_writer(case)
        agent = _check_agent(writer, acting_user, _("This case has no written answer to evaluate."))
        if agent.role not in CONSOLE_ROLES:
            raise BusinessError(_("This answer was not written by a call-centre agent."))
        if Evaluation.objects.filter(case=case, evaluator=acting_user).exists():
            raise BusinessError(twice)
        return _create(
            version=version,
            agent=agent,
            evaluator=acting_user,
            call=None,
            case=case,
            rows=rows,
            comment=comment,
            twice=twice,
        )


def do_acknowledge_evaluation(
    evaluation: Evaluation, comment: str = "", *, acting_user: User
) -> Evaluation:
    """The agent evaluated says they have read the evaluation, with their reply if they wish.
    Only they, and only once."""
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if evaluation.agent_id != acting_user.pk:
            raise BusinessError(_("Only the agent evaluated acknowledges the evaluation."))
        if evaluation.acknowledged_at is not None:
            raise BusinessError(_("This evaluation was already acknowledged."))
        evaluation.acknowledged_at = timezone.now()
        evaluation.agent_comment = comment.strip()[:NOTE_LIMIT]
        evaluation.save(update_fields=["acknowledged_at", "agent_comment"])
    return evaluation
