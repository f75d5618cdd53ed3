"""A news item about a service failure becomes an opinion case: exactly once, by whoever both
keeps the archive and registers cases, linked both ways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_user
from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case
from enlace.catalogues.models import OpinionType
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.media.actions import CASE_CHANNEL, do_make_case_from_item
from enlace.media.models import NewsItem
from enlace.media.tests.factories import item


@pytest.fixture
def carmen(db):
    return make_user("carmen", "communications", first_name="Carmen")


@pytest.fixture
def news(carmen):
    return item(
        carmen,
        headline="Pacientes denuncian falta de medicamentos en el Hospital General",
        summary="Derechohabientes esperan desde la madrugada.",
        url="https://www.elsalvador.com/nota-1",
        spokesperson="Jefa de farmacia",
        centre="HG",
    )


def make_case_url(news):
    return reverse("media:make_case", args=[news.pk])


def test_the_item_becomes_exactly_one_case_and_a_second_time_is_refused(
    client_for, resolution, news
):
    client = client_for(resolution)
    response = client.post(make_case_url(news), {"opinion_type": "reclamo", "dependency": "HG"})
    assert response.status_code == 302
    case = Case.objects.get()
    news.refresh_from_db()
    assert news.case == case
    assert case.kind == CaseKind.OPINION
    assert case.status == CaseStatus.RECEIVED
    assert (case.channel.code, case.opinion_type.code, case.dependency.code) == (
        CASE_CHANNEL,
        "reclamo",
        "HG",
    )
    assert case.created_by == resolution
    for text in (news.headline, news.summary, news.url, news.outlet.name, "Jefa de farmacia"):
        assert text in case.description
    again = client.post(make_case_url(news), {"opinion_type": "queja", "dependency": "HG"})
    assert again.status_code == 302
    assert Case.objects.count() == 1
    with pytest.raises(BusinessError):
        do_make_case_from_item(
            NewsItem.objects.get(pk=news.pk),
            opinion_type=OpinionType.objects.get(code="queja"),
            dependency=Dependency.objects.get(code="HG"),
            acting_user=resolution,
        )
    assert Case.objects.count() == 1


def test_a_stale_copy_of_the_item_makes_no_second_case(resolution, news):
    stale = NewsItem.objects.get(pk=news.pk)  # read before the first case was made
    hg, reclamo = Dependency.objects.get(code="HG"), OpinionType.objects.get(code="reclamo")
    do_make_case_from_item(news, opinion_type=reclamo, dependency=hg, acting_user=resolution)
    with pytest.raises(BusinessError):
        do_make_case_from_item(stale, opinion_type=reclamo, dependency=hg, acting_user=resolution)
    assert Case.objects.count() == 1  # the second case was rolled back with the refusal


def test_the_link_shows_both_ways(client_for, resolution, news):
    client = client_for(resolution)
    client.post(make_case_url(news), {"opinion_type": "reclamo", "dependency": "HG"})
    case = Case.objects.get()
    item_page = client.get(reverse("media:detail", args=[news.pk])).content.decode()
    assert case.display_code in item_page
    case_page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    back = f"{reverse('media:list')}?caso={case.pk}"
    assert back in case_page
    listed = client.get(back)
    assert [row.pk for row in listed.context["page"].items] == [news.pk]


def test_who_may_not_see_the_case_is_not_shown_its_code(client_for, resolution, carmen, news):
    client_for(resolution).post(
        make_case_url(news), {"opinion_type": "reclamo", "dependency": "HG"}
    )
    case = Case.objects.get()
    page = client_for(carmen).get(reverse("media:detail", args=[news.pk]))
    assert page.status_code == 200
    assert page.context["case_visible"] is False
    assert case.display_code not in page.content.decode()
    assert case.tracking_code not in page.content.decode()


def test_the_case_needs_a_type_and_a_centre(client_for, resolution, carmen):
    no_centre = item(carmen, headline="Quejas por el trato en una clínica")
    client = client_for(resolution)
    response = client.post(make_case_url(no_centre), {"opinion_type": "", "dependency": ""})
    assert response.status_code == 400
    assert set(response.context["case_form"].errors) == {"opinion_type", "dependency"}
    response = client.post(
        make_case_url(no_centre), {"opinion_type": "queja", "dependency": "Hospital de Marte"}
    )
    assert response.status_code == 400
    assert set(response.context["case_form"].errors) == {"dependency"}
    assert not Case.objects.exists()


@pytest.mark.parametrize("role", ["communications", "analyst", "agent", "liaison"])
def test_a_role_that_does_not_both_monitor_and_register_is_refused(client_for, news, role):
    # Communications keeps the archive but registers no case; the agent registers cases but
    # keeps no archive.
    user = make_user(f"u-{role}", role, "HG" if role == "liaison" else None)
    response = client_for(user).post(
        make_case_url(news), {"opinion_type": "reclamo", "dependency": "HG"}
    )
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_the_offer_is_shown_only_to_who_may_take_it(client_for, resolution, carmen, news):
    detail = reverse("media:detail", args=[news.pk])
    assert client_for(resolution).get(detail).context["case_form"] is not None
    assert client_for(carmen).get(detail).context["case_form"] is None
