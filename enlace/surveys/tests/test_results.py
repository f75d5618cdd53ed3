"""The results of a study against a hand-computed fixture.

A satisfaction study at three centres (targets HG 50, CC-SJA 20, UM-ZAC 10) with 40 counted
responses (HG 26, CC-SJA 10, UM-ZAC 4) plus one rejected response, and a mystery-shopper round
whose responses count only once accepted. Every expected figure is written below as the hand
calculation that gives it. Runs on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from enlace.accounts.models import User
from enlace.directory.models import Dependency
from enlace.surveys.actions import design, responses
from enlace.surveys.models import QuestionKind, ResponseMode, ReviewState, Study, StudyKind
from enlace.surveys.models import StudyMethod as Method
from enlace.surveys.results import Filters, study_results
from enlace.surveys.tests import factories

pytestmark = pytest.mark.django_db


def expand(*pairs: tuple[str, int]) -> list[str]:
    """("5", 3), ("4", 2) -> ["5", "5", "5", "4", "4"]"""
    return [value for value, times in pairs for _ in range(times)]


# Each centre's answers, question by question (the i-th of each list make the i-th response).
ANSWERS = {
    "HG": {  # 26 responses
        "trato": expand(("5", 10), ("4", 8), ("3", 4), ("2", 2), ("1", 2)),
        "recomienda": expand(("10", 8), ("9", 6), ("8", 4), ("7", 2), ("5", 3), ("2", 3)),
        "experiencia": expand(
            ("very_good", 10),
            ("good", 8),
            ("neutral", 3),
            ("poor", 2),
            ("very_poor", 1),
            ("dont_know", 2),
        ),
        "resuelto": expand(("yes", 20), ("no", 4), ("na", 2)),
        "espera": expand(("10", 13), ("20", 13)),
    },
    "CC-SJA": {  # 10 responses
        "trato": expand(("5", 3), ("4", 3), ("3", 2), ("2", 1), ("1", 1)),
        "recomienda": expand(("10", 3), ("9", 2), ("8", 2), ("6", 2), ("0", 1)),
        "experiencia": expand(
            ("very_good", 4), ("good", 3), ("neutral", 1), ("poor", 1), ("dont_know", 1)
        ),
        "resuelto": expand(("yes", 8), ("no", 1), ("na", 1)),
        "espera": expand(("30", 5), ("40", 5)),
    },
    "UM-ZAC": {  # 4 responses: every figure of this centre is suppressed
        "trato": ["5", "5", "1", "2"],
        "recomienda": ["10", "9", "3", "0"],
        "experiencia": ["very_good", "good", "very_poor", "poor"],
        "resuelto": ["yes", "yes", "no", "no"],
        "espera": ["5", "5", "5", "5"],
    },
}
TARGETS = [("HG", 50), ("CC-SJA", 20), ("UM-ZAC", 10)]


def satisfaction_instrument(user: User) -> Any:
    """The factories' questionnaire and a NUMBER question (minutes waited)."""
    instrument = factories.questionnaire(user, publish=False)
    version = instrument.versions.get()
    design.do_save_question(
        version,
        design.QuestionSpec(
            section=version.sections.get(),
            code="espera",
            text="¿Cuántos minutos esperó?",
            kind=QuestionKind.NUMBER,
        ),
    )
    design.do_publish_version(version, acting_user=user)
    return instrument


def submit_all(study: Study) -> None:
    for code, answers in ANSWERS.items():
        centre = Dependency.objects.get(code=code)
        count = len(answers["trato"])
        nos = 0
        for i in range(count):
            raw = {question: [values[i]] for question, values in answers.items()}
            if raw["resuelto"] == ["no"]:
                # The follow-up shown on "no": HG's first two "no" name two reasons.
                two = code == "HG" and nos < 2
                raw["por-que"] = ["cita", "medicina"] if two else ["cita"]
                nos += 1
            if i == 0:
                raw["comentario"] = [f"Comentario de {code}: buena atención"]
            responses.do_submit_response(
                study, centre, raw, origin=responses.Origin(mode=ResponseMode.LINK)
            )


@pytest.fixture
def results(resolution: User) -> dict[str, Any]:
    study = factories.study(resolution, satisfaction_instrument(resolution), TARGETS)
    submit_all(study)
    # A response rejected on review does not count (it would add a 1 to every centre's scale).
    rejected = responses.do_submit_response(
        study,
        Dependency.objects.get(code="HG"),
        {"trato": ["1"], "recomienda": ["0"], "resuelto": ["yes"]},
        origin=responses.Origin(mode=ResponseMode.LINK),
    )
    responses.do_review_response(
        rejected, state=ReviewState.REJECTED, note="Duplicada", acting_user=resolution
    )
    return study_results(study)


def question(results: dict[str, Any], code: str) -> dict[str, Any]:
    return next(q for q in results["questions"] if q["code"] == code)


def centre(cells: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(cell for cell in cells if cell["code"] == code)


def test_responses_against_the_target(results: dict[str, Any]) -> None:
    counted = results["responses"]
    # 26 + 10 + 4 = 40 counted (the rejected one is not); target 50 + 20 + 10 = 80.
    assert (counted["count"], counted["target"], counted["rate"]) == (40, 80, "50.00")
    # HG: 26 / 50 = 52.00 %; UM-ZAC: 4 / 10 = 40.00 %
    assert centre(counted["by_centre"], "HG")["rate"] == "52.00"
    assert centre(counted["by_centre"], "UM-ZAC")["count"] == 4
    assert [(level["code"], level["count"]) for level in counted["by_level_of_care"]] == [
        ("hospital", 26),
        ("unidad_medica", 4),
        ("clinica_comunal", 10),
    ]


def test_scale_csat_with_wilson_interval_and_mean(results: dict[str, Any]) -> None:
    trato = question(results, "trato")
    # Counts of 5/4/3/2/1: HG 10/8/4/2/2, CC-SJA 3/3/2/1/1, UM-ZAC 2/0/0/1/1 -> 15/11/6/4/4.
    assert [row["count"] for row in trato["distribution"]] == [4, 4, 6, 11, 15]
    # 15 of 40 chose 5: 37.50 %
    assert trato["distribution"][4]["percent"] == "37.50"
    figures = trato["figures"]
    # CSAT = (15 + 11) / 40 = 65.00 %
    assert figures["csat"] == "65.00"
    # Wilson, p = 0.65, n = 40, z = 1.96: z²/n = 0.09604, denominator 1.09604;
    # centre = (0.65 + 0.04802) / 1.09604 = 0.636856;
    # half = 1.96 / 1.09604 * sqrt(0.65 * 0.35 / 40 + 3.8416 / 6400)
    #      = 1.788256 * sqrt(0.0056875 + 0.00060025) = 1.788256 * 0.0792953 = 0.141800
    # -> 0.495056 and 0.778656: 49.51 % to 77.87 %
    assert (figures["csat_low"], figures["csat_high"]) == ("49.51", "77.87")
    # Mean: Σx = 5·15 + 4·11 + 3·6 + 2·4 + 1·4 = 149, /40 = 3.725 -> 3.73 (half up)
    # Σx² = 25·15 + 16·11 + 9·6 + 4·4 + 1·4 = 625; s² = (625 - 149²/40) / 39
    #     = (625 - 555.025) / 39 = 1.794231; se = sqrt(1.794231 / 40) = 0.211792;
    # n ≥ 30: ± 1.96 · 0.211792 = ± 0.415112 -> 3.309888 and 4.140112
    assert (figures["mean"], figures["mean_low"], figures["mean_high"]) == (
        "3.73",
        "3.31",
        "4.14",
    )
    assert (trato["n"], trato["suppressed"], trato["unreliable"]) == (40, False, False)


def test_nps_and_its_interval(results: dict[str, Any]) -> None:
    figures = question(results, "recomienda")["figures"]
    # Promoters (9-10): HG 8 + 6, CC-SJA 3 + 2, UM-ZAC 2 = 21 -> 52.50 %
    # Detractors (0-6): HG 3 + 3, CC-SJA 2 + 1, UM-ZAC 2 = 11 -> 27.50 %; passives 8 -> 20.00 %
    assert (figures["promoters"], figures["passives"], figures["detractors"]) == (
        "52.50",
        "20.00",
        "27.50",
    )
    # NPS = 52.5 - 27.5 = 25.00
    assert figures["nps"] == "25.00"
    # se = sqrt((0.525 + 0.275 - 0.25²) / 40) = sqrt(0.7375 / 40) = 0.135785;
    # ± 1.96 · 0.135785 · 100 = ± 26.6139 -> -1.61 and 51.61
    assert (figures["nps_low"], figures["nps_high"]) == ("-1.61", "51.61")


def test_fft_positive_counts_dont_know_in_the_denominator(results: dict[str, Any]) -> None:
    figures = question(results, "experiencia")["figures"]
    # Very good 10 + 4 + 1 = 15, good 8 + 3 + 1 = 12: 27 / 40 = 67.50 % (don't know: 3 of the 40)
    # Poor 2 + 1 + 1 = 4, very poor 1 + 0 + 1 = 2: 6 / 40 = 15.00 %
    assert (figures["positive"], figures["negative"]) == ("67.50", "15.00")


def test_yes_no_leaves_not_applicable_out(results: dict[str, Any]) -> None:
    figures = question(results, "resuelto")["figures"]
    # Yes 20 + 8 + 2 = 30, no 4 + 1 + 2 = 7 (na 3 left out): 30 / 37 = 81.081 -> 81.08 %
    assert (figures["yes"], figures["answered_yes_or_no"]) == ("81.08", 37)


def test_number_mean_with_t_for_small_n(results: dict[str, Any]) -> None:
    espera = question(results, "espera")
    # All 40: Σx = 10·13 + 20·13 + 30·5 + 40·5 + 5·4 = 760, mean 19.00;
    # Σx² = 1300 + 5200 + 4500 + 8000 + 100 = 19100; s² = (19100 - 760²/40) / 39 = 119.4872;
    # se = sqrt(119.4872 / 40) = 1.728346; ± 1.96 · se = ± 3.387558 -> 15.61 and 22.39
    assert (
        espera["figures"]["mean"],
        espera["figures"]["mean_low"],
        espera["figures"]["mean_high"],
    ) == ("19.00", "15.61", "22.39")
    # CC-SJA, n = 10: Σx = 350, mean 35.00; Σx² = 12500; s² = (12500 - 12250) / 9 = 27.7778;
    # se = sqrt(2.777778) = 1.666667; t(9 df) = 2.262: ± 3.77 -> 31.23 and 38.77
    sja = centre(espera["by_centre"], "CC-SJA")
    assert (sja["figures"]["mean_low"], sja["figures"]["mean_high"]) == ("31.23", "38.77")


def test_a_centre_under_5_shows_no_figure_and_under_30_is_unreliable(
    results: dict[str, Any],
) -> None:
    trato = question(results, "trato")
    zac = centre(trato["by_centre"], "UM-ZAC")
    assert zac["n"] == 4
    assert zac["suppressed"] is True
    assert set(zac["figures"].values()) == {None}
    assert zac["distribution"] == []
    sja = centre(trato["by_centre"], "CC-SJA")
    # CC-SJA: 10 answers, shown but unreliable; CSAT (3 + 3) / 10 = 60.00 %
    assert (sja["suppressed"], sja["unreliable"], sja["figures"]["csat"]) == (False, True, "60.00")
    hg = centre(trato["by_centre"], "HG")
    # HG: 26 answers (under 30); CSAT (10 + 8) / 26 = 69.230... -> 69.23 %
    assert (hg["unreliable"], hg["figures"]["csat"]) == (True, "69.23")
    # By level of care: the medical units' level holds UM-ZAC alone, suppressed too.
    levels = {level["code"]: level for level in trato["by_level_of_care"]}
    assert levels["unidad_medica"]["suppressed"] is True
    assert levels["hospital"]["figures"]["csat"] == "69.23"
    # NPS at UM-ZAC: suppressed as well.
    assert centre(question(results, "recomienda")["by_centre"], "UM-ZAC")["figures"]["nps"] is None


def test_multiple_choice_counts_respondents(results: dict[str, Any]) -> None:
    por_que = question(results, "por-que")
    # Answered by those who said no: 4 + 1 + 2 = 7 respondents; "cita" by all 7 (100.00 %),
    # "medicina" by HG's first two (2 / 7 = 28.571 -> 28.57 %)
    assert por_que["n"] == 7
    by_value = {row["value"]: row for row in por_que["distribution"]}
    assert (by_value["cita"]["count"], by_value["cita"]["percent"]) == (7, "100.00")
    assert (by_value["medicina"]["count"], by_value["medicina"]["percent"]) == (2, "28.57")
    assert por_que["unreliable"] is True


def test_filters_narrow_to_a_centre_and_a_level(resolution: User) -> None:
    study = factories.study(resolution, satisfaction_instrument(resolution), TARGETS)
    submit_all(study)
    hg = Dependency.objects.get(code="HG")
    only_hg = study_results(study, Filters(dependency_ids=[hg.pk]))
    assert only_hg["responses"]["count"] == 26
    assert question(only_hg, "trato")["figures"]["csat"] == "69.23"
    clinics = study_results(study, Filters(level_of_care="clinica_comunal"))
    assert [c["code"] for c in clinics["responses"]["by_centre"]] == ["CC-SJA"]
    assert question(clinics, "trato")["figures"]["csat"] == "60.00"


# --- A checklist whose responses count only once accepted -------------------------------------
VISITS = [
    # senalizacion (weight 1), limpieza (2), buzon (3, critical); review
    (("yes", "yes", "yes"), ReviewState.ACCEPTED),  # 6 / 6 = 1
    (("yes", "no", "yes"), ReviewState.ACCEPTED),  # (1 + 3) / 6 = 2/3
    (("no", "yes", "no"), ReviewState.ACCEPTED),  # 2 / 6 = 1/3, critical "no": FAILED
    (("na", "yes", "yes"), ReviewState.ACCEPTED),  # 5 / 5 = 1 (na out of both sums)
    (("yes", "yes", "na"), ReviewState.ACCEPTED),  # 3 / 3 = 1
    (("no", "no", "no"), ReviewState.RECEIVED),  # not accepted yet: does not count
    (("no", "no", "no"), ReviewState.REJECTED),  # rejected: does not count
]


def test_checklist_scores_and_a_failed_critical_item(resolution: User) -> None:
    study = factories.study(
        resolution,
        factories.checklist(resolution),
        [("HG", 5)],
        kind=StudyKind.MYSTERY_SHOPPER,
        method=Method.VISIT,
        requires_review=True,
    )
    hg = Dependency.objects.get(code="HG")
    items = {q.code: q for q in study.version.questions.all()}
    for answers, state in VISITS:
        visit = responses.do_start_response(
            study, hg, mode=ResponseMode.VISIT, interviewer=resolution
        )
        for code, answer in zip(("senalizacion", "limpieza", "buzon"), answers, strict=True):
            responses.do_save_answer(visit, items[code], [answer], acting_user=resolution)
        responses.do_finish_response(visit, acting_user=resolution)
        if state != ReviewState.RECEIVED:
            responses.do_review_response(
                visit, state=state, note="revisada", acting_user=resolution
            )

    results = study_results(study)
    assert results["responses"]["count"] == 5
    checklist = results["checklist"]
    # Mean score: (1 + 2/3 + 1/3 + 1 + 1) / 5 = 4 / 5 = 80.00 %
    assert checklist["mean_score"] == "80.00"
    # Σs = 4, Σs² = 1 + 4/9 + 1/9 + 1 + 1 = 3.555556; s² = (3.555556 - 16/5) / 4 = 0.088889;
    # se = sqrt(0.088889 / 5) = 0.133333; t(4 df) = 2.776: ± 0.370133 -> 42.99 %, (117.01) 100 %
    assert (checklist["mean_score_low"], checklist["mean_score_high"]) == ("42.99", "100.00")
    # One evaluation failed (its critical item "buzon" answered no): 1 / 5 = 20.00 %
    assert (checklist["failed"], checklist["failed_percent"]) == (1, "20.00")
    assert checklist["critical_items_failed"] == 1
    assert (checklist["evaluations"], checklist["unreliable"]) == (5, True)
    assert centre(checklist["by_centre"], "HG")["mean_score"] == "80.00"
    # Compliance per criterion (yes over yes + no):
    # senalizacion 3 / 4 = 75.00 %, limpieza 4 / 5 = 80.00 %, buzon 3 / 4 = 75.00 %
    compliance = {
        code: question(results, code)["figures"]["yes"] for code in items if code != "foto"
    }
    assert compliance == {"senalizacion": "75.00", "limpieza": "80.00", "buzon": "75.00"}
    assert question(results, "buzon")["critical"] is True


def test_a_centres_few_visits_are_shown_never_suppressed(resolution: User) -> None:
    """Staff's evaluations of a centre have no respondent to protect: two monitoring visits
    give the centre its score (flagged unreliable), where two citizens' answers would not."""
    study = factories.study(
        resolution,
        factories.checklist(resolution),
        [("HG", 2)],
        kind=StudyKind.MONITORING,
        method=Method.VISIT,
        visit_every_days=30,
    )
    hg = Dependency.objects.get(code="HG")
    items = {q.code: q for q in study.version.questions.all()}
    for answers in (("yes", "yes", "yes"), ("yes", "no", "no")):  # 1, then 1/6 failed
        visit = responses.do_start_response(
            study, hg, mode=ResponseMode.VISIT, interviewer=resolution
        )
        for code, answer in zip(("senalizacion", "limpieza", "buzon"), answers, strict=True):
            responses.do_save_answer(visit, items[code], [answer], acting_user=resolution)
        responses.do_finish_response(visit, acting_user=resolution)
    results = study_results(study)
    assert results["thresholds"]["suppress_below"] == 1
    row = centre(results["checklist"]["by_centre"], "HG")
    # (1 + 1/6) / 2 = 58.33 %; one failed its critical item.
    assert (row["evaluations"], row["suppressed"], row["unreliable"]) == (2, False, True)
    assert (row["mean_score"], row["failed"], row["critical_items_failed"]) == ("58.33", 1, 1)
    assert question(results, "limpieza")["figures"]["yes"] == "50.00"
    # The same two answers from citizens (a satisfaction study) are suppressed.
    survey = factories.study(resolution, factories.questionnaire(resolution), [("HG", 2)])
    assert study_results(survey)["thresholds"]["suppress_below"] == 5


def test_a_study_without_responses_has_no_figures(resolution: User) -> None:
    study = factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])
    results = study_results(study)
    assert results["responses"]["rate"] == "0.00"
    trato = question(results, "trato")
    assert (trato["n"], trato["suppressed"], trato["figures"]["csat"]) == (0, True, None)


def test_figures_are_decimal_text() -> None:
    from enlace.surveys.results import decimal, percent

    assert decimal(Decimal("2.675")) == "2.68"
    assert percent(1, 3) == "33.33"
    assert percent(1, 0) is None


def test_the_number_of_queries_does_not_grow_with_the_answers(
    resolution: User, django_assert_max_num_queries: Any
) -> None:
    study = factories.study(resolution, satisfaction_instrument(resolution), TARGETS)
    submit_all(study)
    study = Study.objects.select_related("version__instrument").get(pk=study.pk)
    # Questions, options, centres, responses per centre, values, numbers, distinct respondents.
    with django_assert_max_num_queries(7):
        study_results(study)
