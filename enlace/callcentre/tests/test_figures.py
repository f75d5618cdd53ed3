"""The call centre's management figures: a day of calls posted as the PBX posts them (CTI events
through /canales/cti/), wrapped up through the call's page, give the service level, abandon
rate, ASA, AHT and first-contact resolution computed here by hand; the page, the PDF and the
workbook print the same figures against the targets the supervisor set; the quality score is the
mean of the period's quality evaluations (a failed one counting 0); the wall board shows today's;
agents see only their own; everyone else is refused; the number of queries does not grow with
the calls nor with the evaluations.

The day: Tuesday 6 May 2025, El Salvador time (UTC-6). T = 20 s (service level), S = 5 s
(short abandon), the defaults.

    call  rings     answered      hangup        agent   wait  talk  wrap-up (after the hangup)
    c01   08:00:00  08:00:10      08:04:10      alicia   10   240   inquiry answered, +30 s
    c02   08:30:00  08:30:20      08:33:20      beto     20   180   inquiry answered, +45 s
    c03   09:00:00  09:00:30      09:05:30      alicia   30   300   inquiry answered, +60 s
    c04   09:15:00  09:15:05      09:17:05      beto      5   120   opinion registered, +15 s
    c05   09:40:00  09:40:45      09:50:45      alicia   45   600   (none)
    c06   10:00:00  10:00:15      10:03:15      beto     15   180   transferred, the next day
    c07   10:20:00  10:20:09      10:21:09      alicia    9    60   (none)
    c08   10:30:00  -             10:30:03      -        abandoned after 3 s: short
    c09   11:00:00  -             11:00:05      -        abandoned after 5 s: short (<= S)
    c10   11:10:00  -             11:11:00      alicia   abandoned after 60 s (rang for alicia)

    offered 10, answered 7, abandoned 3, short abandons 2 (c08, c09)
    answered within 20 s: c01 (10), c02 (20: within), c04 (5), c06 (15), c07 (9) = 5
    service level = 5 / (10 - 2) = 62.50 %
    abandon rate = (3 - 2) / (10 - 2) = 12.50 %
    ASA = (10 + 20 + 30 + 5 + 45 + 15 + 9) / 7 = 134 / 7 = 19.142857 -> 19.14 s
    AHT = talk (240 + 180 + 300 + 120 + 600 + 180 + 60 = 1680)
          + after-call work (30 + 45 + 60 + 15 = 150; c06's wrap-up a day later is a
          correction from the log, not after-call work: 0)
          = 1830 / 7 = 261.428571 -> 261.43 s
    first-contact resolution: c01 (an inquiry answered on the call) and c03 (an inquiry
          not answered on the call) are the answered calls registered as inquiries; c04 is an
          opinion, not counted: 1 / 2 = 50.00 %

The quality evaluations (`evaluated`), on the surveys' test checklist (senalizacion 1,
limpieza 2, buzon 3 and critical), made by the supervisor at 12:00 on 6 May:

    c01 alicia  yes yes no    3 / 6 = 50.00, failed by the critical item: counts 0
    c03 alicia  yes no  yes   4 / 6 = 66.67
    c02 beto    yes yes yes   6 / 6 = 100.00
    (c04 beto, evaluated on 7 May: another period)

    quality score = (0 + 66.666... + 100) / 3 = 55.56 %; alicia (0 + 66.67) / 2 = 33.33 %;
    beto 100.00 %; against the target of 85 %: not met, met for beto.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import make_user
from enlace.accounts.models import Role
from enlace.callcentre.actions import do_link_case_to_call
from enlace.callcentre.figures import Period, call_figures
from enlace.callcentre.models import Call, Evaluation, EvaluationAnswer, IndicatorTarget, WrapUp
from enlace.callcentre.quality_actions import ItemValue, do_evaluate_call
from enlace.cases.lifecycle import CaseKind
from enlace.surveys.tests import factories as survey_factories

pytestmark = pytest.mark.django_db
SV = ZoneInfo("America/El_Salvador")
DAY = date(2025, 5, 6)
FIGURES = reverse("callcentre:figures")
PDF = reverse("callcentre:figures_pdf")
XLSX = reverse("callcentre:figures_xlsx")
BOARD = reverse("callcentre:board")
BOARD_FIGURES = reverse("callcentre:board_figures")
TARGETS = reverse("callcentre:targets")
QUERY = {"date_from": "2025-05-06", "date_to": "2025-05-06"}

# (call, rings, answered, hangup, agent, wrap-up code, wrapped up at)
CALLS = [
    ("c01", "08:00:00", "08:00:10", "08:04:10", "alicia", WrapUp.INQUIRY_ANSWERED, "08:04:40"),
    ("c02", "08:30:00", "08:30:20", "08:33:20", "beto", WrapUp.INQUIRY_ANSWERED, "08:34:05"),
    ("c03", "09:00:00", "09:00:30", "09:05:30", "alicia", WrapUp.INQUIRY_ANSWERED, "09:06:30"),
    ("c04", "09:15:00", "09:15:05", "09:17:05", "beto", WrapUp.OPINION_REGISTERED, "09:17:20"),
    ("c05", "09:40:00", "09:40:45", "09:50:45", "alicia", None, None),
    ("c06", "10:00:00", "10:00:15", "10:03:15", "beto", WrapUp.TRANSFERRED, "next day"),
    ("c07", "10:20:00", "10:20:09", "10:21:09", "alicia", None, None),
    ("c08", "10:30:00", None, "10:30:03", "", None, None),
    ("c09", "11:00:00", None, "11:00:05", "", None, None),
    ("c10", "11:10:00", None, "11:11:00", "alicia", None, None),
]


def at(clock: str, day: date = DAY) -> datetime:
    hour, minute, second = (int(part) for part in clock.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SV)


@pytest.fixture
def beto(db):
    return make_user("beto", Role.AGENT, first_name="Beto")


@pytest.fixture
def supervisor(db):
    return make_user("sofia", Role.CALL_SUPERVISOR, first_name="Sofía")


@pytest.fixture
def day_of_calls(agent, beto, post_event, client_for, make_case):
    """The day above, through the PBX's endpoint and the agents' wrap-up form."""
    for call_id, rings, answered, hangup, who, _code, _wrapped in CALLS:
        common = {"call_id": call_id, "agent": who}
        assert post_event("ringing", at=at(rings).isoformat(), **common).status_code == 200
        if answered:
            assert post_event("answered", at=at(answered).isoformat(), **common).status_code == 200
        assert post_event("hangup", at=at(hangup).isoformat(), **common).status_code == 200
    users = {"alicia": agent, "beto": beto}
    for call_id, _rings, _answered, _hangup, who, code, wrapped in CALLS:
        if code is None:
            continue
        call = Call.objects.get(pbx_call_id=call_id)
        moment = at("10:05:00", date(2025, 5, 7)) if wrapped == "next day" else at(wrapped)
        with time_machine.travel(moment, tick=False):
            response = client_for(users[who]).post(
                reverse("callcentre:detail", args=[call.pk]), {"wrap_up": code}
            )
        assert response.status_code == 302
    # The cases registered from calls (the intake's link, as the console makes it).
    answered_inquiry = make_case(
        CaseKind.INQUIRY, by=agent, answered_at_first_contact=True, answer="De 7 a 15 h."
    )
    open_inquiry = make_case(CaseKind.INQUIRY, by=agent)
    opinion = make_case(by=beto)
    for call_id, case, user in (
        ("c01", answered_inquiry, agent),
        ("c03", open_inquiry, agent),
        ("c04", opinion, beto),
    ):
        do_link_case_to_call(case, {"call": Call.objects.get(pbx_call_id=call_id).pk}, user)
    assert Call.objects.count() == 10


@pytest.fixture
def targets(supervisor, client_for):
    """The supervisor's targets, set on their page: the one in force on 6 May is the latest
    from a day not after it."""
    client = client_for(supervisor)
    for indicator, target, valid_from in (
        ("service_level", "70", "2025-01-01"),  # replaced on 1 May
        ("service_level", "80", "2025-05-01"),
        ("service_level", "50", "2025-06-01"),  # not yet in force
        ("abandon_rate", "15", "2025-01-01"),
        ("asa", "20", "2025-01-01"),
        ("aht", "240", "2025-01-01"),
        ("first_contact_resolution", "50", "2025-01-01"),
        ("quality_score", "85", "2025-01-01"),
    ):
        response = client.post(
            TARGETS, {"indicator": indicator, "target": target, "valid_from": valid_from}
        )
        assert response.status_code == 302, response.content.decode()
    assert IndicatorTarget.objects.count() == 8


def test_the_figures_are_those_computed_by_hand(day_of_calls, targets):
    figures = call_figures(Period(DAY, DAY))
    totals = figures.totals
    assert (totals.offered, totals.answered, totals.abandoned) == (10, 7, 3)
    assert (totals.short_abandoned, totals.answered_in_time, totals.handled) == (2, 5, 7)
    assert totals.waiting == 0
    assert totals.service_level == "62.50"
    assert totals.abandon_rate == "12.50"
    assert totals.asa == "19.14"
    assert totals.aht == "261.43"
    assert (totals.inquiries, totals.resolved_at_first_contact) == (2, 1)
    assert totals.first_contact_resolution == "50.00"

    # By hour of the day (local time).
    hours = {row.hour: row.figures for row in figures.by_hour}
    assert sorted(hours) == [8, 9, 10, 11]
    # 08: c01, c02, both within 20 s.
    assert (hours[8].offered, hours[8].service_level, hours[8].asa) == (2, "100.00", "15.00")
    # 09: c03 (30), c04 (5), c05 (45): 1 of 3 within; ASA 80 / 3 = 26.666 -> 26.67;
    # AHT (300 + 60 + 120 + 15 + 600) / 3 = 1095 / 3 = 365.00.
    assert (hours[9].service_level, hours[9].asa, hours[9].aht) == ("33.33", "26.67", "365.00")
    # 10: c06, c07 answered within, c08 a short abandon: 2 / (3 - 1); no abandon counted.
    assert (hours[10].service_level, hours[10].abandon_rate) == ("100.00", "0.00")
    # 11: c09 short, c10 long: 0 / (2 - 1) and (2 - 1) / (2 - 1).
    assert (hours[11].service_level, hours[11].abandon_rate, hours[11].asa) == (
        "0.00",
        "100.00",
        None,
    )
    assert [row.day for row in figures.by_day] == [DAY]
    assert figures.by_day[0].figures == totals

    # By agent, answered calls: alicia c01, c03, c05, c07; beto c02, c04, c06.
    alicia, beto = figures.by_agent
    assert (alicia.name, alicia.figures.answered, alicia.share) == ("Alicia", 4, "57.14")
    # ASA (10 + 30 + 45 + 9) / 4 = 23.50; AHT (240 + 300 + 600 + 60 + 30 + 60) / 4 = 322.50.
    assert (alicia.figures.asa, alicia.figures.aht) == ("23.50", "322.50")
    assert (beto.name, beto.figures.answered, beto.share) == ("Beto", 3, "42.86")
    # ASA (20 + 5 + 15) / 3 = 13.33; AHT (180 + 120 + 180 + 45 + 15) / 3 = 180.00.
    assert (beto.figures.asa, beto.figures.aht) == ("13.33", "180.00")

    # By wrap-up, of the 7 answered calls.
    assert [(row.code, row.count, row.share) for row in figures.by_wrap_up] == [
        ("inquiry_answered", 3, "42.86"),
        ("opinion_registered", 1, "14.29"),
        ("transferred", 1, "14.29"),
        ("", 2, "28.57"),
    ]
    # The inquiries registered from the calls (c01 and c03, both about opening hours), by topic.
    assert [(row.code, row.count, row.share) for row in figures.by_topic] == [
        ("horarios", 2, "100.00")
    ]

    # Against the targets in force on 6 May.
    assessed = figures.assessed
    assert assessed["service_level"].target.target == Decimal("80.00")
    assert assessed["service_level"].met is False  # 62.50 < 80
    assert assessed["abandon_rate"].met is True  # 12.50 <= 15 (lower is better)
    assert assessed["asa"].met is True  # 19.14 <= 20
    assert assessed["aht"].met is False  # 261.43 > 240
    assert assessed["first_contact_resolution"].met is True  # 50.00 >= 50: on the target
    assert assessed["quality_score"].value is None  # no quality evaluation in the period
    assert assessed["quality_score"].target.target == Decimal("85.00")
    assert assessed["quality_score"].met is None


@pytest.fixture
def evaluated(day_of_calls, supervisor, resolution):
    """The evaluations above, through the action."""
    form = survey_factories.published(survey_factories.checklist(resolution, code="calidad"))
    items = list(form.questions.filter(kind="yes_no").order_by("position"))

    noon = at("12:00:00")

    def evaluate(call_id, *values, moment=noon):
        given = {item.pk: ItemValue(value) for item, value in zip(items, values, strict=True)}
        with time_machine.travel(moment, tick=False):
            call = Call.objects.get(pbx_call_id=call_id)
            return do_evaluate_call(call, form, given, acting_user=supervisor)

    evaluate("c01", "yes", "yes", "no")
    evaluate("c03", "yes", "no", "yes")
    evaluate("c02", "yes", "yes", "yes")
    evaluate("c04", "no", "no", "no", moment=at("12:00:00", date(2025, 5, 7)))
    return form


def test_the_quality_score_is_the_mean_of_the_periods_evaluations(evaluated, targets, agent, beto):
    figures = call_figures(Period(DAY, DAY))
    quality = figures.assessed["quality_score"]
    assert quality.value == "55.56"  # (0 + 66.67 + 100) / 3: the failed one counts 0
    assert quality.met is False  # < 85
    assert (figures.quality.evaluations, figures.quality.failed) == (3, 1)
    by_agent = {row.name: row.quality_score for row in figures.by_agent}
    assert by_agent == {"Alicia": "33.33", "Beto": "100.00"}
    # One agent's: their own evaluations only.
    alone = call_figures(Period(DAY, DAY), agent=beto).assessed["quality_score"]
    assert (alone.value, alone.met) == ("100.00", True)
    # The next day: c04's evaluation, every item "no" (the critical one too): 0.
    next_day = call_figures(Period(date(2025, 5, 7), date(2025, 5, 7)))
    assert next_day.assessed["quality_score"].value == "0.00"


def test_the_renderings_print_the_quality_score(evaluated, targets, supervisor, client_for):
    client = client_for(supervisor)
    page = client.get(FIGURES, QUERY).content.decode()
    assert 'class="cc-card cc-not-met" data-indicator="quality_score"' in page
    assert "55.56%" in page
    assert "≥ 85.00%" in page
    assert "33.33%" in page  # alicia's, in the table by agent
    assert "No se mide aquí" not in page
    pdf = client.get(PDF, QUERY)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "55.56%" in text
    assert ">= 85.00%" in text
    book = load_workbook(io.BytesIO(client.get(XLSX, QUERY).content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    quality = next(row for row in rows[1:7] if "calidad" in row[0].lower())
    assert round(quality[1] * 100, 2) == 55.56
    assert round(quality[3] * 100, 2) == 85.00
    assert quality[4] == "No cumplida"  # "Not met"
    agents = list(book.worksheets[3].iter_rows(values_only=True))
    assert round(agents[1][-1] * 100, 2) == 33.33  # alicia's quality score


def test_one_agents_figures_are_those_of_the_calls_the_pbx_gave_them(day_of_calls, agent):
    # alicia: c01, c03, c05, c07 answered, c10 abandoned while ringing for her.
    totals = call_figures(Period(DAY, DAY), agent=agent).totals
    assert (totals.offered, totals.answered, totals.abandoned, totals.short_abandoned) == (
        5,
        4,
        1,
        0,
    )
    assert totals.service_level == "40.00"  # c01, c07 within 20 s: 2 / 5
    assert totals.abandon_rate == "20.00"  # 1 / 5
    assert (totals.asa, totals.aht, totals.first_contact_resolution) == (
        "23.50",
        "322.50",
        "50.00",
    )


def test_the_thresholds_are_settings(day_of_calls, settings):
    settings.CALLCENTRE_SERVICE_LEVEL_SECONDS = 30
    settings.CALLCENTRE_SHORT_ABANDON_SECONDS = 3
    totals = call_figures(Period(DAY, DAY)).totals
    # Within 30 s: c01, c02, c03, c04, c06, c07 = 6; short: c08 only (3 s).
    assert (totals.answered_in_time, totals.short_abandoned) == (6, 1)
    assert totals.service_level == "66.67"  # 6 / 9
    assert totals.abandon_rate == "22.22"  # 2 / 9


def test_a_period_without_calls_has_no_figures_and_no_verdict(db, targets):
    figures = call_figures(Period(date(2025, 5, 7), date(2025, 5, 8)))
    assert figures.totals.offered == 0
    assert figures.totals.service_level is None
    assert figures.totals.asa is None
    assert figures.by_hour == figures.by_day == figures.by_agent == []
    assert all(item.met is None for item in figures.assessments)


def test_the_day_is_the_local_day(agent, post_event):
    # 23:30 on 5 May in El Salvador is 05:30 on 6 May in UTC: a call of 5 May.
    post_event("ringing", call_id="late", at="2025-05-05T23:30:00-06:00")
    post_event("hangup", call_id="late", at="2025-05-05T23:31:00-06:00")
    assert call_figures(Period(DAY, DAY)).totals.offered == 0
    figures = call_figures(Period(date(2025, 5, 5), date(2025, 5, 5)))
    assert figures.totals.offered == 1
    assert [row.hour for row in figures.by_hour] == [23]


# The renderings print the same figures ------------------------------------------------------


def test_the_page_shows_the_figures_against_their_targets(day_of_calls, targets, supervisor):
    client = Client()
    client.force_login(supervisor)
    response = client.get(FIGURES, QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("62.50%", "12.50%", "19.14 s", "261.43 s", "50.00%", "≥ 80.00%", "≤ 15.00%"):
        assert text in page, text
    assert page.count("cc-card cc-met") == 3  # abandon rate, ASA, first-contact resolution
    assert page.count("cc-card cc-not-met") == 2  # service level, AHT
    assert 'class="cc-chart"' in page  # the charts
    assert "Alicia" in page
    assert "Beto" in page
    assert f"{PDF}?date_from=2025-05-06" in page


def test_the_pdf_prints_the_same_figures(day_of_calls, targets, supervisor, client_for):
    response = client_for(supervisor).get(PDF, QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "indicadores_llamadas_2025-05-06_2025-05-06.pdf" in response["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for figure in ("62.50%", "12.50%", "19.14 s", "261.43 s", "50.00%", ">= 80.00%", "<= 240.00 s"):
        assert figure in text, figure
    assert "23.50 s" in text  # alicia's ASA
    assert "322.50 s" in text  # and AHT
    assert "Cumplido" in text  # "Met", in Spanish


def test_the_workbook_holds_the_same_figures(day_of_calls, targets, supervisor, client_for):
    response = client_for(supervisor).get(XLSX, QUERY)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    indicators = {row[0]: row for row in rows[1:7]}
    service_level = next(row for label, row in indicators.items() if "servicio" in label.lower())
    # A percentage is the fraction it is, formatted 0.00 %.
    assert round(service_level[1] * 100, 2) == 62.50
    assert round(service_level[3] * 100, 2) == 80.00
    figures_in_book = sorted(
        round(row[1] * 100, 2) if row[2] == "%" else row[1]
        for row in indicators.values()
        if row[1] is not None
    )
    assert figures_in_book == sorted([62.50, 12.50, 19.14, 261.43, 50.00])
    cell = book.worksheets[0]["B2"]
    assert cell.number_format == "0.00%"
    hours = list(book.worksheets[1].iter_rows(values_only=True))
    assert [row[0] for row in hours[1:]] == [8, 9, 10, 11]
    assert hours[2][1:4] == (3, 3, 0)  # 09: offered, answered, abandoned
    agents = list(book.worksheets[3].iter_rows(values_only=True))
    assert agents[1][0] == "Alicia"
    assert agents[1][3:5] == (23.5, 322.5)


# Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [FIGURES, PDF, XLSX, BOARD, BOARD_FIGURES, TARGETS])
def test_an_analyst_and_a_liaison_are_refused(analyst, liaison, client_for, url):
    assert client_for(analyst).get(url, QUERY).status_code == 403
    assert client_for(liaison).get(url, QUERY).status_code == 403


@pytest.mark.parametrize("url", [FIGURES, BOARD, TARGETS])
def test_a_visitor_is_sent_to_log_in(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_agent_sees_only_their_own_figures(day_of_calls, agent, client_for):
    client = client_for(agent)
    response = client.get(FIGURES, QUERY)
    assert response.status_code == 200
    assert response.context["figures"].agent == agent
    assert response.context["figures"].totals.offered == 5
    assert "agent" not in response.context["form"].fields
    assert "Beto" not in response.content.decode()
    assert client.get(FIGURES, {**QUERY, "agent": "alicia"}).status_code == 200
    pdf = client.get(PDF, QUERY)
    assert pdf.status_code == 200
    assert "_alicia.pdf" in pdf["Content-Disposition"]


@pytest.mark.parametrize("url", [FIGURES, PDF, XLSX])
def test_an_agent_is_refused_another_agents_figures(day_of_calls, agent, client_for, url):
    assert client_for(agent).get(url, {**QUERY, "agent": "beto"}).status_code == 403


@pytest.mark.parametrize("url", [BOARD, BOARD_FIGURES, TARGETS])
def test_an_agent_is_refused_the_board_and_the_targets(agent, client_for, url):
    assert client_for(agent).get(url).status_code == 403
    if url == TARGETS:
        response = client_for(agent).post(
            url, {"indicator": "asa", "target": "1", "valid_from": "2025-01-01"}
        )
        assert response.status_code == 403
        assert not IndicatorTarget.objects.exists()


def test_the_supervisor_picks_an_agent(day_of_calls, supervisor, client_for):
    response = client_for(supervisor).get(FIGURES, {**QUERY, "agent": "beto"})
    assert response.status_code == 200
    totals = response.context["figures"].totals
    assert (totals.offered, totals.answered, totals.service_level) == (3, 3, "100.00")


@pytest.mark.parametrize("role", [Role.RESOLUTION, Role.ADMINISTRATOR])
def test_resolution_staff_and_administrators_see_the_figures(day_of_calls, client_for, role):
    user = make_user(f"u-{role}", role)
    assert client_for(user).get(FIGURES, QUERY).status_code == 200
    assert client_for(user).get(BOARD).status_code == 200


def test_the_header_links_the_figures_for_who_reads_them(agent, supervisor, analyst, client_for):
    assert FIGURES.encode() in client_for(supervisor).get(TARGETS).content
    assert FIGURES.encode() in client_for(agent).get(FIGURES).content
    assert FIGURES.encode() not in client_for(analyst).get(reverse("cases:list")).content


# Bad dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2025-13-45", "date_to": "2025-05-06"}, "Introduzca una fecha válida."),
        ({"date_from": "ayer", "date_to": "2025-05-06"}, "Introduzca una fecha válida."),
        (
            {"date_from": "1999-12-31", "date_to": "2025-05-06"},
            "Indique una fecha del 01/01/2000 al 31/12/2100.",
        ),
        (
            {"date_from": "2025-05-06", "date_to": "9999-12-31"},
            "Indique una fecha del 01/01/2000 al 31/12/2100.",
        ),
        (
            {"date_from": "2025-05-06", "date_to": "2025-05-01"},
            "El período termina antes de comenzar.",
        ),
        ({"date_from": "", "date_to": "2025-05-06"}, "Este campo es obligatorio."),
    ],
)
def test_a_bad_date_is_a_field_error_in_spanish(supervisor, client_for, query, message):
    client = client_for(supervisor)
    for url in (FIGURES, PDF, XLSX):
        response = client.get(url, query)
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page
        assert 'class="error" id="id_date_' in page  # beside its field


def test_an_unknown_agent_is_a_field_error(supervisor, client_for):
    response = client_for(supervisor).get(FIGURES, {**QUERY, "agent": "nadie"})
    assert response.status_code == 400
    assert 'id="id_agent-error"' in response.content.decode()


def test_the_page_defaults_to_this_month_so_far(supervisor, client_for):
    with time_machine.travel(at("09:00:00"), tick=False):
        response = client_for(supervisor).get(FIGURES)
    assert response.status_code == 200
    assert response.context["figures"].period == Period(date(2025, 5, 1), DAY)


# The wall board ------------------------------------------------------------------------------


def test_the_wall_board_shows_today_so_far_and_polls_every_30_seconds(
    day_of_calls, targets, supervisor, post_event, client_for
):
    with time_machine.travel(at("11:30:00"), tick=False):
        post_event("ringing", call_id="c11", at=at("11:29:50").isoformat(), agent="")
        post_event("ringing", call_id="c12", at=at("11:25:00").isoformat(), agent="alicia")
        post_event("answered", call_id="c12", at=at("11:25:04").isoformat(), agent="alicia")
        client = client_for(supervisor)
        page = client.get(BOARD)
        part = client.get(BOARD_FIGURES)
    assert page.status_code == part.status_code == 200
    html = page.content.decode()
    assert f'hx-get="{BOARD_FIGURES}"' in html
    assert 'hx-trigger="every 30s"' in html
    assert "X-Enlace-Poll" in html  # a poll is not the person acting (session expiry)
    assert "<html" not in part.content.decode()  # only the figures
    figures = part.context["figures"]
    assert figures.period == Period(DAY, DAY)
    # The ten calls and two more: c11 in the queue, c12 answered within 4 s and on the line.
    assert (figures.totals.offered, figures.totals.answered) == (12, 8)
    assert (part.context["now"].waiting, part.context["now"].talking) == (1, 1)
    # 6 within 20 s of 12 - 2 short abandons.
    assert figures.totals.service_level == "60.00"
    text = part.content.decode()
    assert 'data-figure="waiting">1<' in text
    assert "60.00%" in text
    assert "≥ 80.00%" in text


def test_the_board_is_empty_before_the_first_call(supervisor, client_for):
    with time_machine.travel(at("06:00:00"), tick=False):
        part = client_for(supervisor).get(BOARD_FIGURES)
    assert part.status_code == 200
    assert part.context["figures"].totals.offered == 0


# Targets ---------------------------------------------------------------------------------


def test_a_target_for_the_same_indicator_and_day_replaces_the_earlier(supervisor, client_for):
    client = client_for(supervisor)
    data = {"indicator": "asa", "target": "20", "valid_from": "2025-01-01"}
    assert client.post(TARGETS, data).status_code == 302
    assert client.post(TARGETS, {**data, "target": "25.5"}).status_code == 302
    target = IndicatorTarget.objects.get()
    assert target.target == Decimal("25.50")
    assert target.better == "lower"  # the usual direction for a waiting time
    assert target.set_by == supervisor
    page = client.get(TARGETS).content.decode()
    assert "25.50 s" in page


def test_a_target_may_say_which_way_is_better(supervisor, client_for):
    data = {"indicator": "aht", "target": "200", "better": "higher", "valid_from": "2025-01-01"}
    assert client_for(supervisor).post(TARGETS, data).status_code == 302
    assert IndicatorTarget.objects.get().better == "higher"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"indicator": "service_level", "target": "120", "valid_from": "2025-01-01"}, "target"),
        ({"indicator": "asa", "target": "-1", "valid_from": "2025-01-01"}, "target"),
        ({"indicator": "speed", "target": "1", "valid_from": "2025-01-01"}, "indicator"),
        ({"indicator": "asa", "target": "1", "valid_from": "1999-01-01"}, "valid_from"),
    ],
)
def test_a_wrong_target_is_refused_on_its_field(supervisor, client_for, data, field):
    response = client_for(supervisor).post(TARGETS, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not IndicatorTarget.objects.exists()


def test_a_target_set_by_mistake_is_removed(supervisor, client_for, analyst):
    client = client_for(supervisor)
    client.post(TARGETS, {"indicator": "asa", "target": "20", "valid_from": "2025-01-01"})
    target = IndicatorTarget.objects.get()
    url = reverse("callcentre:delete_target", args=[target.pk])
    assert client_for(analyst).post(url).status_code == 403
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not IndicatorTarget.objects.exists()


# Cost -----------------------------------------------------------------------------------------


def _more_calls(count, agents):
    """Rows as the CTI events make them, in bulk: what is measured is the page's cost."""
    Call.objects.bulk_create(
        Call(
            pbx_call_id=f"bulk-{n}",
            started_at=at(f"{8 + n % 10:02d}:{n % 60:02d}:00"),
            answered_at=at(f"{8 + n % 10:02d}:{n % 60:02d}:{n % 40 + 1:02d}") if n % 7 else None,
            ended_at=at(f"{8 + n % 10:02d}:{n % 60:02d}:59"),
            agent=agents[n % len(agents)] if n % 7 else None,
            wrap_up=WrapUp.values[n % len(WrapUp.values)] if n % 3 else "",
        )
        for n in range(count)
    )


def _more_evaluations(agents, supervisor):
    """Evaluations of the bulk calls, in bulk (three items each): one query reads them all."""
    form = survey_factories.published(survey_factories.checklist(supervisor, code="carga"))
    items = list(form.questions.filter(kind="yes_no"))
    calls = Call.objects.filter(pbx_call_id__startswith="bulk-", agent__isnull=False)[:60]
    evaluations = Evaluation.objects.bulk_create(
        Evaluation(
            version=form,
            agent_id=call.agent_id,
            evaluator=supervisor,
            call=call,
            evaluated_at=at("12:00:00"),
        )
        for call in calls
    )
    EvaluationAnswer.objects.bulk_create(
        EvaluationAnswer(evaluation=evaluation, question=item, value="yes" if n % 4 else "no")
        for n, evaluation in enumerate(evaluations)
        for item in items
    )


@pytest.mark.parametrize("url", [FIGURES, PDF, XLSX, BOARD_FIGURES])
def test_the_queries_do_not_grow_with_the_calls(
    day_of_calls, targets, supervisor, client_for, django_assert_max_num_queries, url
):
    client = client_for(supervisor)
    with time_machine.travel(at("18:00:00"), tick=False):
        with CaptureQueriesContext(connection) as few:
            assert client.get(url, QUERY).status_code == 200
        # The session and the user, seven for the figures (totals, by hour, by day, by agent,
        # by wrap-up, the quality evaluations, the targets), the agents to pick from on the
        # page, the bell's unread alerts; two for the board's queue and line.
        assert len(few.captured_queries) <= 12
        agents = [make_user(f"agente{n}", Role.AGENT, first_name=f"A{n}") for n in range(8)]
        _more_calls(400, agents)
        _more_evaluations(agents, supervisor)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(url, QUERY)
        assert response.status_code == 200
    if url == FIGURES:
        assert response.context["figures"].totals.offered == 410
        assert len(response.context["figures"].by_agent) == 10
        assert response.context["figures"].quality.evaluations == 60


def test_the_pbx_events_are_what_the_figures_read(day_of_calls):
    # The fixture went through the real endpoint: thirty events stored, each processed.
    from enlace.channels.models import InboundMessage, InboundStatus

    messages = InboundMessage.objects.filter(plugin="cti")
    assert messages.count() == 27  # 10 ringing, 7 answered, 10 hangup
    assert set(messages.values_list("status", flat=True)) == {InboundStatus.PROCESSED}
    body = json.loads(messages.get(external_id="c02:answered").body)
    assert body["at"] == "2025-05-06T08:30:20-06:00"


def test_the_downloads_of_a_day_with_no_call_over_yet(agent, post_event, supervisor, client_for):
    # Only a call ringing: offered, neither answered nor abandoned; nothing to chart but zeros.
    post_event("ringing", call_id="only", at=at("08:00:00").isoformat())
    client = client_for(supervisor)
    for query in (QUERY, {"date_from": "2025-05-07", "date_to": "2025-05-07"}):
        pdf = client.get(PDF, query)
        assert pdf.status_code == 200
        assert PdfReader(io.BytesIO(pdf.content)).pages
        assert client.get(XLSX, query).status_code == 200
        assert client.get(FIGURES, query).status_code == 200
    totals = call_figures(Period(DAY, DAY)).totals
    assert (totals.offered, totals.waiting, totals.service_level) == (1, 1, "0.00")
