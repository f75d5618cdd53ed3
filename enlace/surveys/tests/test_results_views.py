"""The results' pages, PDF, XLSX, trends and comments through their URLs: what each role and
centre sees, and bad input answered without a 500."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from enlace.accounts.models import User
from enlace.directory.models import Dependency
from enlace.surveys.actions import responses
from enlace.surveys.models import ResponseMode, Study
from enlace.surveys.tests import factories

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]
GOOD = {"trato": ["5"], "recomienda": ["9"], "experiencia": ["good"], "resuelto": ["yes"]}


@pytest.fixture
def study(resolution: User) -> Study:
    """A study at HG (6 responses, one with a comment) and UM-ZAC (2 responses)."""
    study = factories.study(
        resolution, factories.questionnaire(resolution), [("HG", 10), ("UM-ZAC", 10)]
    )
    for code, count in (("HG", 6), ("UM-ZAC", 2)):
        centre = Dependency.objects.get(code=code)
        for i in range(count):
            raw = dict(GOOD, trato=[str(4 + i % 2)])
            if i == 0:
                raw["comentario"] = [f"Me atendió la enfermera de {code}"]
            responses.do_submit_response(
                study, centre, raw, origin=responses.Origin(mode=ResponseMode.LINK)
            )
    return study


def url(study: Study, tail: str = "resultados/") -> str:
    return f"/estudios/{study.pk}/{tail}"


def test_resolution_sees_every_centre_with_the_small_one_suppressed(
    study: Study, resolution: User, client_for: Login
) -> None:
    page = client_for(resolution).get(url(study))
    assert page.status_code == 200
    results = page.context["results"]
    assert results["responses"]["count"] == 8
    cells = {cell["code"]: cell for cell in results["questions"][0]["by_centre"]}
    assert cells["HG"]["figures"]["csat"] == "100.00"
    assert cells["UM-ZAC"]["suppressed"] is True
    assert "—&#8224;" in page.content.decode() or "—†" in page.content.decode()


def test_a_liaison_sees_only_their_centre(
    study: Study, liaison: User, outsider: User, client_for: Login
) -> None:
    page = client_for(liaison).get(url(study))
    assert page.status_code == 200
    assert [c["code"] for c in page.context["results"]["responses"]["by_centre"]] == ["HG"]
    # Another centre's liaison reads the same study with their centre only: UM-ZAC.
    other = client_for(outsider).get(url(study))
    assert [c["code"] for c in other.context["results"]["responses"]["by_centre"]] == ["UM-ZAC"]
    # Asking for HG is refused as a choice the outsider does not have.
    assert client_for(outsider).get(url(study) + "?centre=HG").status_code == 400


def test_a_liaison_of_a_centre_outside_the_study_gets_404(
    resolution: User, outsider: User, client_for: Login
) -> None:
    only_hg = factories.study(resolution, factories.questionnaire(resolution), [("HG", 10)])
    assert client_for(outsider).get(url(only_hg)).status_code == 404
    assert client_for(outsider).get(url(only_hg, "resultados.pdf")).status_code == 404


def test_roles_without_results_are_refused(
    study: Study, agent: User, punto_seguro: User, oir: User, client_for: Login
) -> None:
    for user in (agent, punto_seguro, oir):
        assert client_for(user).get(url(study)).status_code == 403
        assert client_for(user).get("/estudios/tendencias/?codigo=trato").status_code == 403
    assert Client().get(url(study)).status_code == 302  # to the login page


def test_filters_and_bad_filters(study: Study, resolution: User, client_for: Login) -> None:
    client = client_for(resolution)
    page = client.get(url(study) + "?centre=HG&level=hospital")
    assert page.context["results"]["responses"]["count"] == 6
    assert client.get(url(study) + "?centre=NOPE").status_code == 400
    assert client.get(url(study) + "?date_from=1999-01-01").status_code == 400
    assert client.get(url(study) + "?date_from=not-a-date").status_code == 400
    # A day outside the study's period.
    late = study.period_end.replace(year=study.period_end.year + 1).isoformat()
    assert client.get(url(study) + f"?date_to={late}").status_code == 400
    start = study.period_start.isoformat()
    assert client.get(url(study) + f"?date_from={start}&date_to={start}").status_code == 200
    assert client.get("/estudios/999999/resultados/").status_code == 404


def test_pdf_and_xlsx(study: Study, analyst: User, client_for: Login) -> None:
    client = client_for(analyst)
    pdf = client.get(url(study, "resultados.pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # Filtered by dates: the cover says so in words and days as the reader writes them.
    start = study.period_start
    filtered = client.get(
        url(study, "resultados.pdf") + f"?date_from={start.isoformat()}&level=hospital",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    cover = PdfReader(io.BytesIO(filtered.content)).pages[0].extract_text()
    assert f"{start:%d/%m/%Y}" in cover
    assert "desde" in cover
    assert "level_of_care" not in cover
    assert start.isoformat() not in cover
    xlsx = client.get(url(study, "resultados.xlsx") + "?centre=HG")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    figures = book.worksheets[1]
    header = [cell.value for cell in figures[1]]
    first = dict(zip(header, [cell.value for cell in figures[2]], strict=True))
    assert (first["n"], first["csat"]) == (6, 1.0)


def test_comments_need_personal_data_and_are_searchable(
    study: Study, resolution: User, analyst: User, liaison: User, client_for: Login
) -> None:
    assert client_for(analyst).get(url(study, "comentarios/")).status_code == 403
    page = client_for(resolution).get(url(study, "comentarios/") + "?q=ENFERMERA")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 2
    assert (
        client_for(resolution)
        .get(url(study, "comentarios/") + "?q=zzz")
        .context["page"]
        .paginator.count
        == 0
    )
    # A liaison reads their centre's comments only.
    own = client_for(liaison).get(url(study, "comentarios/") + "?page=99")
    assert [a.text for a in own.context["page"].object_list] == ["Me atendió la enfermera de HG"]


def test_trends_follow_a_code_across_studies_and_versions(
    study: Study, resolution: User, liaison: User, client_for: Login
) -> None:
    from enlace.surveys.actions import design

    instrument = study.version.instrument
    draft = design.do_new_version(instrument)
    design.do_publish_version(draft, acting_user=resolution)
    second = factories.study(resolution, instrument, [("HG", 10)])
    for _ in range(5):
        responses.do_submit_response(
            second,
            Dependency.objects.get(code="HG"),
            dict(GOOD, trato=["2"]),
            origin=responses.Origin(mode=ResponseMode.LINK),
        )
    page = client_for(resolution).get("/estudios/tendencias/?codigo=trato")
    assert page.status_code == 200
    trend = page.context["trend"]
    assert trend["versions_differ"] is True
    assert [row["value"] for row in trend["studies"]] == ["100.00", "0.00"]
    # The liaison's trend counts HG's answers only (the first study's 6 of HG).
    own = client_for(liaison).get("/estudios/tendencias/?codigo=trato").context["trend"]
    assert [row["n"] for row in own["studies"]] == [6, 5]
    assert client_for(resolution).get("/estudios/tendencias/?codigo=a%20b").status_code == 400


def test_the_dashboard_shows_the_headline_satisfaction_per_centre(
    study: Study, analyst: User, liaison: User, client_for: Login
) -> None:
    board = client_for(analyst).get("/informes/tablero/").context["board"]
    satisfaction = board.satisfaction
    assert satisfaction["question"]["code"] == "trato"
    assert satisfaction["figure"] == "csat"
    lines = {line["name"]: line for line in satisfaction["by_centre"]}
    # HG: 6 answers of 4 or 5, CSAT 100.00 (unreliable); UM-ZAC: 2 answers, suppressed.
    hg = Dependency.objects.get(code="HG").name
    zac = Dependency.objects.get(code="UM-ZAC").name
    assert (lines[hg]["value"], lines[hg]["unreliable"]) == ("100.00", True)
    assert (lines[zac]["value"], lines[zac]["suppressed"]) == (None, True)
    own = client_for(liaison).get("/informes/tablero/").context["board"].satisfaction
    assert [line["name"] for line in own["by_centre"]] == [hg]
