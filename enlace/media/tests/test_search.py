"""The archive's search and filters, through the list's real URL and on the database the suite
runs on (SQLite by default, PostgreSQL with DATABASE_URL): accents and case ignored, Spanish
stems matched, every word required, the outlet filter exact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from enlace.media import queries
from enlace.media.queries import NewsFilters, filter_news_items, visible_news_items
from enlace.media.tests.factories import item, outlet, topic

LIST = reverse("media:list")


@pytest.fixture
def carmen(db):
    return make_user("carmen", "communications", first_name="Carmen")


@pytest.fixture
def archive(carmen):
    lpg = outlet("lpg", "La Prensa Gráfica")
    canal2 = outlet("canal-2", "Canal 2", "tv")
    canal21 = outlet("canal-21", "Canal 21", "tv")
    today = timezone.localdate()
    return {
        "hours": item(
            carmen,
            outlet=lpg,
            headline="El Hospital General amplía su horario",
            summary="La ATENCIÓN en consulta externa será hasta las 8 de la noche.",
            tone="positive",
            centre="HG",
            published_on=today - timedelta(days=3),
        ),
        "medicines": item(
            carmen,
            outlet=canal2,
            headline="Pacientes denuncian falta de medicamentos en la Unidad Médica Zacamil",
            summary="Derechohabientes esperan desde la madrugada.",
            centre="UM-ZAC",
            published_on=today - timedelta(days=2),
        ),
        "pensions": item(
            carmen,
            outlet=canal21,
            headline="Jubilados cobran su pensión en nuevas agencias",
            topic=topic("pensiones"),
            tone="neutral",
            published_on=today - timedelta(days=1),
        ),
    }


def found(client, **query):
    response = client.get(LIST, query)
    assert response.status_code == 200
    return {row.headline for row in response.context["page"].items}


def test_search_ignores_accents_and_case(client_for, carmen, archive):
    client = client_for(carmen)
    assert found(client, q="atencion") == {archive["hours"].headline}
    assert found(client, q="ATENCIÓN") == {archive["hours"].headline}
    assert found(client, q="amplia") == {archive["hours"].headline}  # "amplía"
    assert found(client, q="medica zacamil") == {archive["medicines"].headline}


def test_search_matches_spanish_stems(client_for, carmen, archive):
    client = client_for(carmen)
    assert found(client, q="hospitales") == {archive["hours"].headline}
    assert found(client, q="medicamento") == {archive["medicines"].headline}
    assert found(client, q="denuncia del paciente") == {archive["medicines"].headline}
    assert found(client, q="pensiones") == {archive["pensions"].headline}


def test_every_word_must_be_there_and_a_word_absent_finds_nothing(client_for, carmen, archive):
    client = client_for(carmen)
    assert found(client, q="hospital medicamentos") == set()
    assert found(client, q="quirófano") == set()


def test_the_outlet_name_is_searched_too(client_for, carmen, archive):
    assert found(client_for(carmen), q="prensa grafica") == {archive["hours"].headline}


def test_a_query_of_stop_words_only_filters_nothing(client_for, carmen, archive):
    assert len(found(client_for(carmen), q="de la")) == 3


def test_the_outlet_filter_is_exact(client_for, carmen, archive):
    client = client_for(carmen)
    # "Canal 2" and "Canal 21": one outlet each, never the other by a shared name.
    assert found(client, outlet="canal-2") == {archive["medicines"].headline}
    assert found(client, outlet="canal-21") == {archive["pensions"].headline}
    queryset = filter_news_items(
        visible_news_items(carmen), NewsFilters(outlet_id=archive["pensions"].outlet_id)
    )
    assert [row.pk for row in queryset] == [archive["pensions"].pk]


def test_filters_by_medium_tone_topic_centre_and_dates(client_for, carmen, archive):
    client = client_for(carmen)
    assert found(client, medium="tv") == {
        archive["medicines"].headline,
        archive["pensions"].headline,
    }
    assert found(client, tone="positive") == {archive["hours"].headline}
    assert found(client, topic="pensiones") == {archive["pensions"].headline}
    assert found(client, dependency="Hospital General [HG]") == {archive["hours"].headline}
    day = archive["medicines"].published_on.isoformat()
    assert found(client, date_from=day, date_to=day) == {archive["medicines"].headline}
    assert found(client, q="hospital", tone="negative") == set()


def test_the_list_is_newest_first(client_for, carmen, archive):
    response = client_for(carmen).get(LIST)
    assert [row.pk for row in response.context["page"].items] == [
        archive["pensions"].pk,
        archive["medicines"].pk,
        archive["hours"].pk,
    ]


def test_bad_filter_values_are_shown_as_errors_never_an_error_page(client_for, carmen, archive):
    client = client_for(carmen)
    for query in (
        {"date_from": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_from": "2026-02-30"},
        {"date_from": "2026-03-01", "date_to": "2026-01-01"},
        {"outlet": "no-such-outlet"},
        {"topic": "x" * 500},
        {"tone": "furious"},
        {"dependency": "Hospital de Marte"},
        {"caso": "abc"},
        {"caso": str(2**70)},
        {"q": "x" * 5000},
        {"after": "not-a-cursor"},
        {"before": "MjAyNi0wMS0wMXwtMQ"},
        {"q": "\x00"},
    ):
        response = client.get(LIST, query)
        assert response.status_code == 200, query


@pytest.mark.parametrize("limit", [1000, 10])
def test_pages_by_keyset(client_for, carmen, db, monkeypatch, limit):
    # Up to the count's limit the page is picked from every match's key; past it, read from
    # the index in list order: the pages are the same.
    monkeypatch.setattr(queries, "COUNT_LIMIT", limit)
    start = timezone.localdate() - timedelta(days=40)
    made = [
        item(carmen, headline=f"Nota {n}", published_on=start + timedelta(days=n % 30))
        for n in range(30)
    ]
    expected = sorted(made, key=lambda row: (row.published_on, row.pk), reverse=True)
    client = client_for(carmen)
    first = client.get(LIST).context["page"]
    assert [row.pk for row in first.items] == [row.pk for row in expected[:25]]
    assert (first.count, first.count_is_capped) == (min(30, limit), limit < 30)
    assert first.previous_cursor is None
    second = client.get(LIST, {"after": first.next_cursor}).context["page"]
    assert [row.pk for row in second.items] == [row.pk for row in expected[25:]]
    assert second.next_cursor is None
    back = client.get(LIST, {"before": second.previous_cursor}).context["page"]
    assert [row.pk for row in back.items] == [row.pk for row in first.items]
    assert back.previous_cursor is None
    searched = client.get(LIST, {"q": "nota", "after": first.next_cursor}).context["page"]
    assert [row.pk for row in searched.items] == [row.pk for row in expected[25:]]


def test_the_list_makes_the_same_queries_for_3_or_30_items(
    client_for, carmen, archive, django_assert_max_num_queries
):
    client = client_for(carmen)
    client.get(LIST)  # the session and the reference data read once
    with django_assert_max_num_queries(9):
        client.get(LIST, {"q": "hospital"})
    for n in range(27):
        item(carmen, headline=f"Hospital {n}")
    with django_assert_max_num_queries(9):
        client.get(LIST, {"q": "hospital"})


def test_htmx_swaps_only_the_results(client_for, carmen, archive):
    response = client_for(carmen).get(
        LIST, {"q": "hospital"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.status_code == 200
    assert "<form" not in response.content.decode()
    assert archive["hours"].headline in response.content.decode()
