"""The call centre's quality evaluations: supervisors evaluate calls (inbound and outbound) and
written answers on a published checklist, through the pages; the scores, the agents' quality
scores and the calibration of two evaluators are those computed here by hand; the sample offers
only calls nobody has evaluated; the agent reads and acknowledges their own evaluations, once;
bad input is refused with nothing written; every other role is refused.

The evaluation form (weights 1 + 2 + 3 + 4 = 10; "dui" and "info" critical; a photo that is not
an item):

    item       weight  critical
    saluda       1
    dui          2       yes
    registra     3
    info         4       yes

The evaluations, on 6 May 2025 (El Salvador):

    ev  evaluator  work              saluda dui registra info  yes / answered  score  counts
    E1  sofia      c1 (alicia, in)   yes    yes  no      yes    7 / 10         70.00   70
    E2  sofia      c2 (alicia, out)  yes    na   yes     yes    8 / 8         100.00  100
    E3  sofia      c3 (alicia, in)   yes    no   yes     yes    8 / 10         80.00    0 (failed)
    E4  rosa       case (alicia)     na     na   na      na     0 / 0            -      (no score)
    E5  sofia      c4 (beto, in)     no     yes  yes     yes    9 / 10         90.00   90
    E6  rosa       c1 (alicia, in)   yes    yes  yes     yes   10 / 10        100.00  100

    alicia: 5 evaluations, 1 failed, mean of (70 + 100 + 0 + 100) / 4 = 67.50
    beto:   1 evaluation, 90.00;  everyone: (270 + 90) / 5 = 72.00
    calibration: c1 by sofia (E1) and rosa (E6): 3 of the 4 items alike (registra differs):
    75.00 %; score difference |70 - 100| = 30.00
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from enlace.accounts.models import Role
from enlace.callcentre.models import Call, Direction, Evaluation, EvaluationAnswer
from enlace.callcentre.periods import Period
from enlace.callcentre.quality_actions import (
    ItemValue,
    do_acknowledge_evaluation,
    do_evaluate_answer,
    do_evaluate_call,
)
from enlace.callcentre.quality_queries import (
    agent_scores,
    calibration,
    overall,
    sample_answers,
    sample_calls,
    score_of,
    scored,
)
from enlace.cases.lifecycle import CaseKind
from enlace.core.errors import BusinessError
from enlace.surveys.actions import design
from enlace.surveys.models import InstrumentKind, InstrumentVersion, QuestionKind
from enlace.surveys.tests import factories

pytestmark = pytest.mark.django_db
SV = ZoneInfo("America/El_Salvador")
DAY = date(2025, 5, 6)
PERIOD = Period(DAY, DAY)
QUALITY = reverse("callcentre:quality")
QUERY = {"date_from": "2025-05-06", "date_to": "2025-05-06"}
ITEMS = (("saluda", "1", False), ("dui", "2", True), ("registra", "3", False), ("info", "4", True))


def at(clock: str, day: date = DAY) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SV)


@pytest.fixture
def beto(db):
    return make_user("beto", Role.AGENT, first_name="Beto")


@pytest.fixture
def sofia(db):
    return make_user("sofia", Role.CALL_SUPERVISOR, first_name="Sofía")


def checklist(author, *, code="monitoreo", name="Monitoreo de llamadas") -> InstrumentVersion:
    """The evaluation form above, through the design actions, published."""
    instrument = design.do_create_instrument(
        name=name, kind=InstrumentKind.CHECKLIST, code=code, acting_user=author
    )
    version = instrument.versions.get()
    section = version.sections.get()
    for item, weight, critical in ITEMS:
        design.do_save_question(
            version,
            design.QuestionSpec(
                section=section,
                code=item,
                text=f"¿Cumple {item}?",
                kind=QuestionKind.YES_NO,
                required=True,
                weight=Decimal(weight),
                critical=critical,
            ),
        )
    design.do_save_question(
        version,
        design.QuestionSpec(section=section, code="foto", text="Captura", kind=QuestionKind.PHOTO),
    )
    return design.do_publish_version(version, acting_user=author)


@pytest.fixture
def form(resolution) -> InstrumentVersion:
    return checklist(resolution)


def make_call(pbx_id, agent, *, clock="09:00", direction=Direction.INBOUND, answered=True, day=DAY):
    started = at(clock, day)
    return Call.objects.create(
        pbx_call_id=pbx_id,
        direction=direction,
        started_at=started,
        answered_at=started + timedelta(seconds=10) if answered else None,
        ended_at=started + timedelta(minutes=3),
        agent=agent,
    )


def values(form: InstrumentVersion, *given: str) -> dict[int, ItemValue]:
    items = form.questions.filter(kind=QuestionKind.YES_NO).order_by("position")
    return {item.pk: ItemValue(value) for item, value in zip(items, given, strict=True)}


def post_data(form: InstrumentVersion, *given: str, comment: str = "") -> dict[str, str]:
    data = {"version": str(form.pk), "comment": comment}
    for question_id, item in values(form, *given).items():
        data[f"item-{question_id}"] = item.value
        data[f"note-{question_id}"] = ""
    return data


@pytest.fixture
def calls(agent, beto):
    return {
        "c1": make_call("c1", agent, clock="08:00"),
        "c2": make_call("c2", agent, clock="08:30", direction=Direction.OUTBOUND),
        "c3": make_call("c3", agent, clock="09:00"),
        "c4": make_call("c4", beto, clock="09:30"),
    }


@pytest.fixture
def answered_case(agent, make_case):
    """An inquiry the agent answered at first contact: its answer is theirs."""
    return make_case(
        CaseKind.INQUIRY, by=agent, answered_at_first_contact=True, answer="De 7 a 15 horas."
    )


@pytest.fixture
def evaluations(form, calls, answered_case, sofia, resolution):
    """E1 to E6 above, through the actions, on 6 May."""
    made = {}
    with time_machine.travel(at("12:00"), tick=False):
        made["E1"] = do_evaluate_call(
            calls["c1"], form, values(form, "yes", "yes", "no", "yes"), acting_user=sofia
        )
        made["E2"] = do_evaluate_call(
            calls["c2"], form, values(form, "yes", "na", "yes", "yes"), acting_user=sofia
        )
        made["E3"] = do_evaluate_call(
            calls["c3"], form, values(form, "yes", "no", "yes", "yes"), acting_user=sofia
        )
        made["E4"] = do_evaluate_answer(
            answered_case, form, values(form, "na", "na", "na", "na"), acting_user=resolution
        )
        made["E5"] = do_evaluate_call(
            calls["c4"], form, values(form, "no", "yes", "yes", "yes"), acting_user=sofia
        )
        made["E6"] = do_evaluate_call(
            calls["c1"], form, values(form, "yes", "yes", "yes", "yes"), acting_user=resolution
        )
    return made


# Scores -----------------------------------------------------------------------------------


def test_each_evaluations_score_is_the_weight_answered_yes_over_the_weight_answered(evaluations):
    found = {e.pk: score_of(e) for e in scored(Evaluation.objects.all())}
    by_name = {name: found[e.pk] for name, e in evaluations.items()}
    assert (by_name["E1"].score, by_name["E1"].failed) == ("70.00", False)
    assert (by_name["E2"].score, by_name["E2"].failed) == ("100.00", False)  # n/a left out
    # A critical item answered no: the score is shown, the evaluation fails and counts 0.
    assert (by_name["E3"].score, by_name["E3"].failed, by_name["E3"].counted) == (
        "80.00",
        True,
        "0.00",
    )
    assert (by_name["E4"].score, by_name["E4"].failed) == (None, False)  # every item n/a
    assert by_name["E5"].score == "90.00"  # a non-critical item failed: only its weight
    assert by_name["E6"].score == "100.00"
    # The photo of the checklist is not an item: four answers per evaluation.
    assert EvaluationAnswer.objects.count() == 6 * 4


def test_the_agents_quality_score_counts_a_failed_evaluation_as_zero(evaluations, agent, beto):
    scores = {row.agent_id: row for row in agent_scores(Evaluation.objects.all())}
    alicia = scores[agent.pk]
    assert (alicia.name, alicia.evaluations, alicia.scored, alicia.failed) == ("Alicia", 5, 4, 1)
    assert alicia.mean == "67.50"  # (70 + 100 + 0 + 100) / 4; E4 has no score
    assert (scores[beto.pk].evaluations, scores[beto.pk].mean) == (1, "90.00")
    total = overall(list(scores.values()))
    assert (total.evaluations, total.failed, total.mean) == (6, 1, "72.00")
    # The evaluations of a period: none the day before.
    assert agent_scores(Evaluation.objects.filter(evaluated_at__lt=at("00:00"))) == []


def test_calibration_of_two_evaluators_of_the_same_call(evaluations, calls):
    found = calibration(PERIOD)
    assert len(found.pairs) == 1
    pair = found.pairs[0]
    assert pair.call_id == calls["c1"].pk
    assert {pair.first.evaluator, pair.second.evaluator} == {"Sofía", "rosa"}
    assert (pair.items, pair.agreed, pair.agreement) == (4, 3, "75.00")
    assert pair.difference == "30.00"
    assert (found.agreement, found.mean_difference) == ("75.00", "30.00")
    # A pair belongs to the period of the later of its two evaluations.
    assert calibration(Period(date(2025, 5, 7), date(2025, 5, 7))).pairs == []


def test_calibration_compares_items_by_code_across_versions(
    evaluations, calls, form, beto, sofia, resolution
):
    # A second version of the form (the same codes, one more item) evaluates c4 a second time.
    draft = design.do_new_version(form.instrument)
    design.do_save_question(
        draft,
        design.QuestionSpec(
            section=draft.sections.get(),
            code="despedida",
            text="¿Se despide?",
            kind=QuestionKind.YES_NO,
            weight=Decimal(1),
        ),
    )
    v2 = design.do_publish_version(draft, acting_user=sofia)
    with time_machine.travel(at("13:00"), tick=False):
        do_evaluate_call(
            calls["c4"], v2, values(v2, "yes", "yes", "yes", "yes", "na"), acting_user=resolution
        )
    pairs = calibration(PERIOD, beto).pairs
    assert [pair.call_id for pair in pairs] == [calls["c4"].pk]  # only beto's
    # saluda differs (no / yes); "despedida" is on one form only: 3 of the 4 compared.
    assert (pairs[0].items, pairs[0].agreed, pairs[0].agreement) == (4, 3, "75.00")
    assert pairs[0].difference == "10.00"  # 90.00 and 10 / 10 = 100.00


# The sample --------------------------------------------------------------------------------


def test_the_sample_offers_answered_calls_nobody_evaluated(evaluations, calls, agent, beto):
    fresh_in = make_call("c5", agent, clock="10:00")
    fresh_out = make_call("c6", agent, clock="10:30", direction=Direction.OUTBOUND)
    make_call("c7", agent, clock="11:00", answered=False)  # abandoned: nothing to evaluate
    make_call("c8", beto, clock="11:30")  # another agent's
    make_call("c9", agent, clock="09:00", day=date(2025, 5, 5))  # another day
    drawn = sample_calls(agent, PERIOD, 20)
    assert {call.pk for call in drawn} == {fresh_in.pk, fresh_out.pk}
    assert len(sample_calls(agent, PERIOD, 1)) == 1


def test_the_sample_of_written_answers_is_of_the_agents_not_evaluated(
    evaluations, agent, make_case, resolution, answered_case
):
    other = make_case(CaseKind.INQUIRY, by=agent, answered_at_first_contact=True, answer="Sí.")
    make_case(CaseKind.INQUIRY, by=resolution, answered_at_first_contact=True, answer="No.")
    closed = timezone.localdate(other.closed_at)
    today = Period(closed, closed)
    drawn = sample_answers(agent, today, 20)
    assert [case.pk for case in drawn] == [other.pk]  # the evaluated one and rosa's left out


def test_the_supervisor_draws_a_sample_on_the_page(evaluations, sofia, agent, client_for):
    fresh = make_call("c5", agent, clock="10:00")
    page = client_for(sofia).get(QUALITY, {**QUERY, "agent": "alicia", "sample": "5"})
    assert page.status_code == 200
    assert [call.pk for call in page.context["sample_calls"]] == [fresh.pk]
    assert reverse("callcentre:evaluate", args=[fresh.pk]) in page.content.decode()
    assert (
        client_for(sofia)
        .get(QUALITY, {**QUERY, "agent": "alicia", "sample": "99"})
        .context["sample_form"]
        .errors
    )


# The pages -------------------------------------------------------------------------------


def test_the_supervisor_evaluates_a_call_on_its_page(form, calls, sofia, client_for):
    client = client_for(sofia)
    url = reverse("callcentre:evaluate", args=[calls["c1"].pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('type="radio"') == 4 * 3  # yes / no / n.a. per item, no photo
    # Each item a fieldset named by its legend: one Tab stop, its values by the arrow keys.
    assert html.count('<fieldset class="qa-item') == 4
    assert html.count(">crítico<") == 2  # the critical items' mark, in Spanish
    assert "(peso 4)" in html
    with time_machine.travel(at("12:00"), tick=False):
        response = client.post(url, post_data(form, "yes", "yes", "no", "yes", comment="Bien."))
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert response["Location"] == reverse("callcentre:evaluation", args=[evaluation.pk])
    assert (evaluation.agent.username, evaluation.evaluator, evaluation.comment) == (
        "alicia",
        sofia,
        "Bien.",
    )
    shown = client.get(response["Location"])
    assert shown.context["score"].score == "70.00"
    assert 'data-score="70.00"' in shown.content.decode()


def test_the_evaluation_page_names_the_failed_critical_items(evaluations, sofia, client_for):
    page = client_for(sofia).get(reverse("callcentre:evaluation", args=[evaluations["E3"].pk]))
    assert page.status_code == 200
    assert page.context["score"].failed
    assert [a.question.code for a in page.context["failed_items"]] == ["dui"]
    assert 'data-failed="true"' in page.content.decode()


def test_several_forms_are_offered_the_last_used_first(evaluations, calls, sofia, client_for):
    other = checklist(sofia, code="otra", name="Aaa otra lista")
    url = reverse("callcentre:evaluate", args=[calls["c4"].pk])
    page = client_for(sofia).get(url)
    assert [pk for pk, _label in page.context["forms"]] == [other.pk, evaluations["E1"].version_id]
    assert page.context["version"].pk == evaluations["E1"].version_id  # the one in use
    assert client_for(sofia).get(url, {"formulario": other.pk}).context["version"] == other


def test_the_list_shows_scores_and_calibration(evaluations, form, sofia, resolution, client_for):
    client = client_for(sofia)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(QUALITY, QUERY)
    assert page.status_code == 200
    assert len(page.context["rows"]) == 6
    assert {row.name: row.mean for row in page.context["scores"]} == {
        "Alicia": "67.50",
        "Beto": "90.00",
    }
    assert page.context["total"].mean == "72.00"
    assert len(page.context["calibration"].pairs) == 1
    html = page.content.decode()
    assert "67.50%" in html
    assert "75.00%" in html
    # The session, the user, the agents to pick, the list, the scores, the calibration (2),
    # the bell's unread alerts.
    assert len(queries.captured_queries) <= 8
    # More evaluations, of more agents, by two evaluators: as many queries.
    for n in range(6):
        other = make_user(f"agente{n}", Role.AGENT)
        call = make_call(f"m{n}", other, clock=f"10:{n:02d}")
        with time_machine.travel(at("13:00"), tick=False):
            for evaluator in (sofia, resolution):
                do_evaluate_call(
                    call, form, values(form, "yes", "no", "yes", "na"), acting_user=evaluator
                )
    with CaptureQueriesContext(connection) as more:
        page = client.get(QUALITY, QUERY)
    assert len(more.captured_queries) == len(queries.captured_queries)
    assert (len(page.context["rows"]), len(page.context["calibration"].pairs)) == (18, 7)
    only_beto = client.get(QUALITY, {**QUERY, "agent": "beto"})
    assert [e.agent.username for e, _score in only_beto.context["rows"]] == ["beto"]


def test_the_call_page_links_its_evaluation_for_supervisors(evaluations, calls, sofia, agent):
    url = reverse("callcentre:detail", args=[calls["c1"].pk])
    evaluate = reverse("callcentre:evaluate", args=[calls["c1"].pk])
    supervisor = Client()
    supervisor.force_login(sofia)
    page = supervisor.get(url)
    assert evaluate in page.content.decode()
    assert len(page.context["evaluations"]) == 2
    own = Client()
    own.force_login(agent)
    assert evaluate not in own.get(url).content.decode()


# The agent -------------------------------------------------------------------------------


def test_the_agent_sees_and_acknowledges_their_own_once(evaluations, agent, beto, client_for):
    client = client_for(agent)
    page = client.get(QUALITY, QUERY)
    assert page.status_code == 200
    assert {e.agent_id for e, _score in page.context["rows"]} == {agent.pk}
    assert len(page.context["pending"]) == 5
    assert "Beto" not in page.content.decode()
    url = reverse("callcentre:evaluation", args=[evaluations["E3"].pk])
    with time_machine.travel(at("15:00"), tick=False):
        response = client.post(url, {"comment": "Lo revisaré."})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(pk=evaluations["E3"].pk)
    assert evaluation.acknowledged_at == at("15:00")
    assert evaluation.agent_comment == "Lo revisaré."
    again = client.post(url, {"comment": "Otra vez"})
    assert again.status_code == 400
    assert again.context["form"].non_field_errors()
    assert Evaluation.objects.get(pk=evaluation.pk).agent_comment == "Lo revisaré."
    assert len(client.get(QUALITY, QUERY).context["pending"]) == 4


def test_only_the_agent_evaluated_acknowledges(evaluations, beto, sofia, client_for):
    url = reverse("callcentre:evaluation", args=[evaluations["E1"].pk])
    assert client_for(beto).post(url, {}).status_code == 404  # not theirs: not revealed
    assert client_for(beto).get(url).status_code == 404
    assert client_for(sofia).post(url, {}).status_code == 403  # the evaluator reads, no more
    with pytest.raises(BusinessError):
        do_acknowledge_evaluation(evaluations["E1"], acting_user=sofia)
    assert Evaluation.objects.get(pk=evaluations["E1"].pk).acknowledged_at is None


def test_an_agent_cannot_ask_for_another_agents_list(evaluations, agent, client_for):
    assert client_for(agent).get(QUALITY, {**QUERY, "agent": "beto"}).status_code == 403


# Bad input -------------------------------------------------------------------------------


def test_an_item_left_unanswered_is_a_field_error_in_spanish(form, calls, sofia, client_for):
    data = post_data(form, "yes", "yes", "no", "yes")
    item = next(key for key in data if key.startswith("item-"))
    del data[item]
    data["comment"] = "x"
    response = client_for(sofia).post(
        reverse("callcentre:evaluate", args=[calls["c1"].pk]), data, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 400
    assert item in response.context["form"].errors
    assert "Este campo es obligatorio." in response.content.decode()
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("value", ["maybe", "si", ""])
def test_a_value_other_than_yes_no_na_is_refused(form, calls, sofia, client_for, value):
    data = post_data(form, "yes", "yes", "no", "yes")
    item = next(key for key in data if key.startswith("item-"))
    data[item] = value
    response = client_for(sofia).post(reverse("callcentre:evaluate", args=[calls["c1"].pk]), data)
    assert response.status_code == 400
    assert item in response.context["form"].errors
    assert not Evaluation.objects.exists()
    with pytest.raises(BusinessError) as refused:
        do_evaluate_call(
            calls["c1"], form, values(form, value or "x", "yes", "no", "yes"), acting_user=sofia
        )
    assert refused.value.field == item


def test_the_same_evaluator_evaluates_a_call_once(evaluations, form, calls, sofia, client_for):
    url = reverse("callcentre:evaluate", args=[calls["c1"].pk])
    assert client_for(sofia).get(url).context["mine"] == evaluations["E1"]
    response = client_for(sofia).post(url, post_data(form, "yes", "yes", "yes", "yes"))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert Evaluation.objects.filter(call=calls["c1"]).count() == 2  # E1 and rosa's E6


@pytest.mark.parametrize(
    "problem", ["own call", "no agent", "not answered", "draft", "questionnaire", "missing item"]
)
def test_the_action_refuses_bad_input(form, sofia, resolution, problem):
    call = make_call("x", sofia if problem == "own call" else make_user("u", Role.AGENT))
    version = form
    answers = values(form, "yes", "yes", "yes", "yes")
    if problem == "no agent":
        call = make_call("y", None)
    elif problem == "not answered":
        call = make_call("y", make_user("v", Role.AGENT), answered=False)
    elif problem == "draft":
        version = factories.published(factories.checklist(resolution, code="borrador"))
        version = design.do_new_version(version.instrument)
    elif problem == "questionnaire":
        version = factories.published(factories.questionnaire(resolution))
    elif problem == "missing item":
        answers.popitem()
    with pytest.raises(BusinessError):
        do_evaluate_call(call, version, answers, acting_user=sofia)
    assert not Evaluation.objects.exists()


def test_an_agent_does_not_evaluate(form, calls, beto):
    with pytest.raises(BusinessError):
        do_evaluate_call(
            calls["c1"], form, values(form, "yes", "yes", "yes", "yes"), acting_user=beto
        )


def test_a_written_answer_is_the_agents_who_wrote_it(form, make_case, resolution, sofia, agent):
    mine = make_case(CaseKind.INQUIRY, by=agent, answered_at_first_contact=True, answer="Sí.")
    evaluation = do_evaluate_answer(
        mine, form, values(form, "yes", "yes", "yes", "yes"), acting_user=sofia
    )
    assert (evaluation.agent, evaluation.case, evaluation.call) == (agent, mine, None)
    # An answer written by the resolution section is not the call centre's work.
    theirs = make_case(
        CaseKind.INQUIRY, by=resolution, answered_at_first_contact=True, answer="No."
    )
    with pytest.raises(BusinessError):
        do_evaluate_answer(
            theirs, form, values(form, "yes", "yes", "yes", "yes"), acting_user=sofia
        )
    # A case without an answer has nothing to evaluate.
    with pytest.raises(BusinessError):
        do_evaluate_answer(
            make_case(by=agent), form, values(form, "yes", "yes", "yes", "yes"), acting_user=sofia
        )


def test_a_supervisor_evaluates_a_written_answer_on_its_page(
    form, answered_case, sofia, client_for
):
    url = reverse("callcentre:evaluate_answer", args=[answered_case.pk])
    page = client_for(sofia).get(url)
    assert page.status_code == 200
    assert "De 7 a 15 horas." in page.content.decode()  # the answer, for who sees it
    # ... and that it was shown is in the access log, as on the case's page.
    from enlace.privacy.models import PersonalDataAccess

    assert PersonalDataAccess.objects.filter(
        user=sofia, case=answered_case, via="case_page"
    ).exists()
    response = client_for(sofia).post(url, post_data(form, "yes", "na", "yes", "no"))
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.case == answered_case
    assert score_of(scored(Evaluation.objects.all()).get()).failed


# Who is refused ----------------------------------------------------------------------------


def test_other_roles_are_refused(
    evaluations, calls, answered_case, analyst, liaison, agent, client_for
):
    pages = [
        QUALITY,
        reverse("callcentre:evaluate", args=[calls["c1"].pk]),
        reverse("callcentre:evaluate_answer", args=[answered_case.pk]),
        reverse("callcentre:evaluation", args=[evaluations["E1"].pk]),
    ]
    for user in (analyst, liaison):
        for url in pages:
            assert client_for(user).get(url).status_code == 403, (user, url)
            if url != QUALITY:  # a page to read only: a POST is not allowed (405)
                assert client_for(user).post(url, {}).status_code == 403, (user, url)
    # An agent evaluates nothing, not even a call of theirs.
    for url in pages[1:3]:
        assert client_for(agent).get(url).status_code == 403
        assert client_for(agent).post(url, {}).status_code == 403
    assert Evaluation.objects.count() == 6
    for url in pages:
        response = Client().get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", [Role.RESOLUTION, Role.ADMINISTRATOR])
def test_the_resolution_section_and_administrators_evaluate(form, calls, client_for, role):
    user = make_user(f"u-{role}", role)
    url = reverse("callcentre:evaluate", args=[calls["c4"].pk])
    assert (
        client_for(user).post(url, post_data(form, "yes", "yes", "yes", "yes")).status_code == 302
    )
    assert client_for(user).get(QUALITY).status_code == 200
