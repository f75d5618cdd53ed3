"""The case list: filters, free text, keyset pages, the scope of each role, and a constant
number of queries per page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case

URL = reverse("cases:list")


def codes(response):
    return {case.tracking_code for case in response.context["page"].cases}


@pytest.fixture
def cases(make_case, agent):
    """A small, varied set of cases."""
    return {
        "hg_reclamo": make_case(centre="HG", type="reclamo", by=agent),
        "zac_queja": make_case(
            centre="UM-ZAC",
            type="queja",
            limitante="trato_personal",
            channel="buzon",
            description="El médico fue grosero en la consulta",
            citizen={"name": "José Pérez", "dui": "00016297-5", "phone": "+50322220000"},
        ),
        "cc_sugerencia": make_case(
            centre="CC-SJA", type="sugerencia", limitante=None, channel="facebook"
        ),
        "inquiry": make_case(
            CaseKind.INQUIRY,
            topic="citas",
            answered_at_first_contact=True,
            answer="Cita confirmada",
            citizen={"affiliation": "123456789"},
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"hg_reclamo", "zac_queja", "cc_sugerencia", "inquiry"}),
        ("kind=consulta", {"inquiry"}),
        ("kind=opinion", {"hg_reclamo", "zac_queja", "cc_sugerencia"}),
        ("opinion_type=queja", {"zac_queja"}),
        ("channel=buzon", {"zac_queja"}),
        ("dependency=Hospital+General+[HG]", {"hg_reclamo"}),
        ("dependency=um-zac", {"zac_queja"}),
        ("level_of_care=clinica_comunal", {"cc_sugerencia"}),
        ("status=closed", {"inquiry"}),
        ("status=open", {"hg_reclamo", "zac_queja", "cc_sugerencia"}),
        ("kind=opinion&channel=llamada_127&level_of_care=hospital", {"hg_reclamo"}),
        ("q=medico+GROSERO", {"zac_queja"}),
        ("q=jose+perez", {"zac_queja"}),
        ("q=00016297-5", {"zac_queja"}),
        ("q=000162975", {"zac_queja"}),
        ("q=2222-0000", {"zac_queja"}),
        ("q=123456789", {"inquiry"}),
        ("q=nadaparecido", set()),
    ],
)
def test_it_filters(resolution, client_for, cases, query, expected):
    response = client_for(resolution).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert codes(response) == {cases[name].tracking_code for name in expected}


def test_it_finds_a_tracking_code_typed_loosely(resolution, client_for, cases):
    code = cases["inquiry"].tracking_code
    typed = f"{code[:5].lower()} {code[5:]}"
    response = client_for(resolution).get(URL, {"q": typed})
    assert codes(response) == {code}


def test_it_filters_by_period_in_local_dates(resolution, client_for, make_case):
    old = make_case(received_at=timezone.now() - timedelta(days=40))
    new = make_case()
    today = timezone.localdate()
    client = client_for(resolution)
    response = client.get(URL, {"received_from": today - timedelta(days=7), "received_to": today})
    assert codes(response) == {new.tracking_code}
    response = client.get(URL, {"received_to": today - timedelta(days=30)})
    assert codes(response) == {old.tracking_code}


def test_an_invalid_filter_is_ignored_not_an_error(resolution, client_for, cases):
    response = client_for(resolution).get(URL, {"channel": "paloma_mensajera", "kind": "opinion"})
    assert response.status_code == 200
    assert len(codes(response)) == 3
    assert "channel" in response.context["form"].errors


def test_a_liaison_lists_only_their_centres_cases(liaison, client_for, cases):
    response = client_for(liaison).get(URL)
    assert codes(response) == {cases["hg_reclamo"].tracking_code}
    response = client_for(liaison).get(URL, {"dependency": "UM-ZAC"})
    assert codes(response) == set()


def test_a_liaison_may_also_see_the_dependencies_below_their_centre(liaison, client_for, make_case):
    from enlace.directory.models import Dependency

    liaison.dependency = Dependency.objects.get(code="SS")  # Subdirección de Salud
    liaison.includes_children = True
    liaison.save()
    hg = make_case(centre="HG")
    administrative = make_case(centre="TA")  # Torre Administrativa hangs from Dirección General
    response = client_for(liaison).get(URL)
    assert codes(response) == {hg.tracking_code}
    assert administrative.tracking_code not in codes(response)


def test_pages_follow_each_other_by_keyset(resolution, client_for, make_case, settings):
    settings.CASE_LIST_PAGE_SIZE = 3
    made = [make_case(received_at=timezone.now() - timedelta(minutes=i)) for i in range(7)]
    newest_first = [case.tracking_code for case in made]
    client = client_for(resolution)
    seen = []
    response = client.get(URL)
    while True:
        page = response.context["page"]
        seen.extend(case.tracking_code for case in page.cases)
        if not page.next_cursor:
            break
        response = client.get(URL, {"after": page.next_cursor})
    assert seen == newest_first
    # and back again
    back = client.get(URL, {"before": page.previous_cursor}).context["page"]
    assert [c.tracking_code for c in back.cases] == newest_first[3:6]


def test_cases_received_at_the_same_instant_are_not_skipped(
    resolution, client_for, make_case, settings
):
    settings.CASE_LIST_PAGE_SIZE = 2
    instant = timezone.now()
    made = {make_case(received_at=instant).tracking_code for _ in range(5)}
    client = client_for(resolution)
    seen: list[str] = []
    response = client.get(URL)
    while True:
        page = response.context["page"]
        seen.extend(case.tracking_code for case in page.cases)
        if not page.next_cursor:
            break
        response = client.get(URL, {"after": page.next_cursor})
    assert sorted(seen) == sorted(made)


def test_a_tampered_cursor_shows_the_first_page(resolution, client_for, cases):
    response = client_for(resolution).get(URL, {"after": "no-es-un-cursor"})
    assert response.status_code == 200
    assert len(codes(response)) == 4


def test_the_count_is_capped(resolution, client_for, make_case, settings):
    settings.CASE_LIST_COUNT_LIMIT = 3
    for _ in range(5):
        make_case()
    page = client_for(resolution).get(URL).context["page"]
    assert page.count_is_capped
    assert "Más de 3 casos" in client_for(resolution).get(URL).content.decode()


def test_the_list_makes_the_same_number_of_queries_for_any_page_size(
    resolution, client_for, make_case, settings, django_assert_num_queries
):
    client = client_for(resolution)
    client.get(URL)  # warm the session

    for _ in range(3):
        make_case(citizen={"name": "Ana"})
    # The session, the user, the count, the page, its access-log rows (one INSERT), the saved
    # views, the bell's unread count, the filters' and the intake's choices, the people a
    # selection may be given to.
    with django_assert_num_queries(13):
        assert len(client.get(URL, {"status": "open"}).context["page"].cases) == 3
    for _ in range(20):
        make_case(CaseKind.INQUIRY, topic="citas", centre="HG")
    with django_assert_num_queries(13):
        assert len(client.get(URL, {"status": "open"}).context["page"].cases) == 23


def test_htmx_requests_get_only_the_results(resolution, client_for, cases):
    response = client_for(resolution).get(
        URL, {"kind": "consulta"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "cases/_results.html"
    assert "<html" not in response.content.decode()


def test_an_anonymous_visitor_must_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_no_personal_data_leaks_into_the_list_of_another_centre(outsider, client_for, cases):
    response = client_for(outsider).get(URL, {"q": "00016297-5"})
    # Zacamil's liaison sees José Pérez's case, which is theirs ...
    assert codes(response) == {cases["zac_queja"].tracking_code}
    response = client_for(outsider).get(URL, {"kind": "consulta"})
    # ... but not the inquiry, which belongs to no centre of theirs.
    assert codes(response) == set()
    assert Case.objects.count() == 4
