"""The call centre's quality evaluations (/llamadas/calidad/): the supervisor's list with the
agents' quality scores, the calibration of evaluators and a random sample of calls to evaluate
next; the evaluation form of a call (/llamadas/<id>/evaluar/) or of a written answer
(/llamadas/calidad/respuestas/<case id>/evaluar/); one evaluation, which its agent acknowledges
(/llamadas/calidad/<id>/).

Who sees what: whoever supervises the call centre (`Capability.SUPERVISE_CALLS`) evaluates and
reads every evaluation; a call-centre agent reads and acknowledges their own (another agent's is
a 404); everyone else is refused (403).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from enlace.accounts.current import current_user
from enlace.accounts.models import User
from enlace.callcentre import quality_actions as actions
from enlace.callcentre.forms import FiguresForm
from enlace.callcentre.models import Call, Evaluation, EvaluationAnswer
from enlace.callcentre.periods import Period
from enlace.callcentre.quality_forms import (
    AcknowledgeForm,
    EvaluationForm,
    SampleForm,
    form_label,
)
from enlace.callcentre.quality_queries import (
    EVALUATION_LIST_LIMIT,
    Score,
    access_evaluation_for_user,
    agent_scores,
    answer_writer,
    calibration,
    evaluates,
    evaluation_forms,
    items_of,
    last_used_form_id,
    overall,
    sample_answers,
    sample_calls,
    score_of,
    scored,
    sees_own_evaluations_only,
    visible_evaluations,
)
from enlace.callcentre.queries import access_call_for_user
from enlace.cases.models import Case
from enlace.cases.personal import sees_personal_data
from enlace.cases.queries import access_case_for_user
from enlace.core.errors import BusinessError
from enlace.privacy.access import record as record_access
from enlace.privacy.models import AccessVia
from enlace.surveys.models import InstrumentVersion, YesNo


def _reader(request: HttpRequest) -> tuple[User, bool]:
    """The user, and whether they read only their own evaluations; 403 for everyone else."""
    user = current_user(request)
    if evaluates(user):
        return user, False
    if sees_own_evaluations_only(user):
        return user, True
    raise PermissionDenied(_("Your role does not read the call centre's quality evaluations."))


def _evaluator(request: HttpRequest) -> User:
    user = current_user(request)
    if not evaluates(user):
        raise PermissionDenied(_("Your role does not evaluate the call centre's work."))
    return user


def _rows(evaluations: QuerySet[Evaluation]) -> list[tuple[Evaluation, Score]]:
    """Each evaluation (annotated by `scored`) with its score."""
    return [(evaluation, score_of(evaluation)) for evaluation in evaluations]


def _listed(evaluations: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    return (
        scored(evaluations)
        .select_related("agent", "evaluator", "call", "case", "version__instrument")
        .order_by("-evaluated_at", "-id")[:EVALUATION_LIST_LIMIT]
    )


@login_required
@require_GET
def quality(request: HttpRequest) -> HttpResponse:
    """The evaluations of a period (this month so far by default), of every agent or one: the
    list, each agent's quality score and the calibration of evaluators; for one agent, a
    sample of their calls not yet evaluated. An agent sees their own, and those waiting for
    their acknowledgement."""
    user, own_only = _reader(request)
    if own_only and request.GET.get("agent", "") not in ("", user.username):
        raise PermissionDenied(_("An agent reads only their own evaluations."))
    data = request.GET.copy()
    if "date_from" not in data and "date_to" not in data:
        today = timezone.localdate()
        data.update({"date_from": today.replace(day=1).isoformat(), "date_to": today.isoformat()})
    form = FiguresForm(data, pick_agent=not own_only)
    context: dict[str, Any] = {"form": form, "own_only": own_only, "valid": form.is_valid()}
    if not context["valid"]:
        return render(request, "callcentre/quality_list.html", context, status=400)
    period = Period(form.cleaned_data["date_from"], form.cleaned_data["date_to"])
    agent: User | None = user if own_only else form.cleaned_data.get("agent")
    start, end = period.bounds()
    evaluations = visible_evaluations(user).filter(evaluated_at__gte=start, evaluated_at__lt=end)
    if agent is not None:
        evaluations = evaluations.filter(agent=agent)
    scores = agent_scores(evaluations)
    context.update(
        period=period,
        agent=agent,
        rows=_rows(_listed(evaluations)),
        limit=EVALUATION_LIST_LIMIT,
        scores=scores,
        total=overall(scores),
        query=urlencode(
            {
                "date_from": period.start.isoformat(),
                "date_to": period.end.isoformat(),
                **({"agent": agent.username} if agent is not None and not own_only else {}),
            }
        ),
    )
    if own_only:
        pending = visible_evaluations(user).filter(acknowledged_at__isnull=True)
        context["pending"] = _rows(_listed(pending))
        context["acknowledge_form"] = AcknowledgeForm()
    else:
        context["calibration"] = calibration(period, agent)
        sample_form = SampleForm(request.GET if "sample" in request.GET else None)
        context["sample_form"] = sample_form
        if agent is not None and sample_form.is_bound and sample_form.is_valid():
            size = sample_form.cleaned_data["sample"]
            context["sample_calls"] = sample_calls(agent, period, size)
            context["sample_answers"] = sample_answers(agent, period, size)
    return render(request, "callcentre/quality_list.html", context)


# The evaluation form -----------------------------------------------------------------------


def _chosen_form(
    forms: list[InstrumentVersion], wanted: str
) -> tuple[InstrumentVersion | None, bool]:
    """The evaluation form asked for (a version id), else the one of the latest evaluation,
    else the first; and whether the one asked for is one of the forms offered."""
    by_id = {str(version.pk): version for version in forms}
    if wanted in by_id:
        return by_id[wanted], True
    last = last_used_form_id() if forms else None
    default = next((v for v in forms if v.instrument_id == last), forms[0] if forms else None)
    return default, False


def _evaluate(
    request: HttpRequest,
    user: User,
    *,
    call: Call | None = None,
    case: Case | None = None,
    agent: User | None,
) -> HttpResponse:
    forms = evaluation_forms()
    posted = request.method == "POST"
    wanted = request.POST.get("version", "") if posted else request.GET.get("formulario", "")
    version, found = _chosen_form(forms, wanted)
    mine = Evaluation.objects.filter(evaluator=user, **({"call": call} if call else {"case": case}))
    context: dict[str, Any] = {
        "call": call,
        "case": case,
        "agent": agent,
        "forms": [(v.pk, form_label(v)) for v in forms],
        "version": version,
        "mine": mine.first(),
    }
    if case is not None and sees_personal_data(user):
        context["answer"] = case.answer
        record_access(user, AccessVia.CASE_PAGE, case_ids=[case.pk])
    if version is None:
        context["form"] = None
        return render(
            request, "callcentre/quality_evaluate.html", context, status=400 if posted else 200
        )
    form = EvaluationForm(
        request.POST if posted else None, items=items_of(version), initial={"version": version.pk}
    )
    context["form"] = form
    if not posted:
        return render(request, "callcentre/quality_evaluate.html", context)
    if not found:
        # Not one of the forms offered (a new version was published meanwhile): asked again.
        form.is_valid()
        form.add_error(None, _("The evaluation form changed: answer its current version."))
    elif form.is_valid():
        try:
            if call is not None:
                evaluation = actions.do_evaluate_call(
                    call, version, form.answers(), form.cleaned_data["comment"], acting_user=user
                )
            else:
                assert case is not None
                evaluation = actions.do_evaluate_answer(
                    case, version, form.answers(), form.cleaned_data["comment"], acting_user=user
                )
        except BusinessError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Evaluation saved."))
            return redirect("callcentre:evaluation", pk=evaluation.pk)
    return render(request, "callcentre/quality_evaluate.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def evaluate_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Evaluate a call (inbound or outbound) of an agent on an evaluation form."""
    user = _evaluator(request)
    call = access_call_for_user(user, pk)
    return _evaluate(request, user, call=call, agent=call.agent)


@login_required
@require_http_methods(["GET", "POST"])
def evaluate_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Evaluate the answer a case gave the citizen, written by an agent."""
    user = _evaluator(request)
    case = access_case_for_user(user, pk)
    return _evaluate(request, user, case=case, agent=answer_writer(case))


# One evaluation ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """One evaluation: its items, score and failed critical items; its agent acknowledges it
    here (POST), once, with a reply if they wish."""
    user, _own_only = _reader(request)
    evaluation = access_evaluation_for_user(user, pk)
    status = 200
    form = AcknowledgeForm()
    if request.method == "POST":
        if evaluation.agent_id != user.pk:
            raise PermissionDenied(_("Only the agent evaluated acknowledges the evaluation."))
        form = AcknowledgeForm(request.POST)
        if form.is_valid():
            try:
                actions.do_acknowledge_evaluation(
                    evaluation, form.cleaned_data["comment"], acting_user=user
                )
            except BusinessError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Evaluation acknowledged."))
                return redirect("callcentre:evaluation", pk=evaluation.pk)
        status = 400
    answers = list(
        EvaluationAnswer.objects.filter(evaluation=evaluation)
        .select_related("question__section")
        .order_by("question__section__position", "question__position", "question_id")
    )
    context = {
        "evaluation": evaluation,
        "score": score_of(evaluation),
        "answers": answers,
        "failed_items": [a for a in answers if a.question.critical and a.value == YesNo.NO],
        "form": form,
        "mine": evaluation.agent_id == user.pk,
        "evaluates": evaluates(user),
    }
    return render(request, "callcentre/quality_detail.html", context, status=status)
