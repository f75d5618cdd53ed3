"""Who reaches which page of the media archive: every view refuses the roles without the need
(403) and sends an anonymous visitor to log in; the header offers the link to those it lets
in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_user
from enlace.media.tests.factories import item

# (url name, takes the item's id, method)
ARCHIVE = [
    ("media:list", False, "get"),
    ("media:new", False, "get"),
    ("media:new", False, "post"),
    ("media:detail", True, "get"),
    ("media:clip", True, "get"),
    ("media:make_case", True, "post"),
]
ANALYSIS = ["media:analysis", "media:analysis_pdf", "media:analysis_xlsx"]
PERIOD = {"date_from": "2016-01-01", "date_to": "2016-06-30"}


@pytest.fixture
def carmen(db):
    return make_user("carmen", "communications", first_name="Carmen")


@pytest.fixture
def news(carmen):
    return item(carmen, headline="Nota", centre="HG")


def url(name, takes_item, news):
    return reverse(name, args=[news.pk] if takes_item else [])


@pytest.mark.parametrize(("name", "takes_item", "method"), ARCHIVE)
@pytest.mark.parametrize(
    ("role", "centre"),
    [("analyst", None), ("agent", None), ("liaison", "HG"), ("oir_officer", None), ("dpo", None)],
)
def test_the_archive_refuses_roles_that_do_not_keep_it(
    client_for, news, name, takes_item, method, role, centre
):
    intruder = client_for(make_user(f"u-{role}", role, centre))
    response = getattr(intruder, method)(url(name, takes_item, news), {"opinion_type": "reclamo"})
    assert response.status_code == 403, (name, role)


@pytest.mark.parametrize(("name", "takes_item", "method"), ARCHIVE)
def test_an_anonymous_visitor_is_sent_to_log_in(client, news, name, takes_item, method):
    response = getattr(client, method)(url(name, takes_item, news))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["communications", "resolution", "administrator"])
def test_who_keeps_the_archive_reaches_it(client_for, news, role):
    client = client_for(make_user(f"u-{role}", role))
    assert client.get(reverse("media:list")).status_code == 200
    assert client.get(reverse("media:detail", args=[news.pk])).status_code == 200
    assert client.get(reverse("media:analysis"), PERIOD).status_code == 200


@pytest.mark.parametrize("name", ANALYSIS)
@pytest.mark.parametrize(
    ("role", "centre"), [("agent", None), ("liaison", "HG"), ("oir_officer", None)]
)
def test_the_analysis_refuses_roles_without_institution_wide_reports(
    client_for, db, name, role, centre
):
    intruder = client_for(make_user(f"u-{role}", role, centre))
    assert intruder.get(reverse(name), PERIOD).status_code == 403


@pytest.mark.parametrize("name", ANALYSIS)
def test_an_analyst_reads_the_analysis_but_not_the_archive(client_for, analyst, news, name):
    client = client_for(analyst)
    assert client.get(reverse(name), PERIOD).status_code == 200
    assert client.get(reverse("media:list")).status_code == 403


@pytest.mark.parametrize("name", ANALYSIS)
def test_the_analysis_sends_an_anonymous_visitor_to_log_in(client, db, name):
    response = client.get(reverse(name), PERIOD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_header_links_the_archive_or_the_analysis(client_for, carmen, analyst, agent):
    archive, analysis = reverse("media:list"), reverse("media:analysis")

    def header(user):
        page = client_for(user).get(reverse("accounts:security"))
        return {link.url for link in page.context["header"]["main"]}

    assert archive in header(carmen)
    assert analysis not in header(carmen)
    assert analysis in header(analyst)
    assert archive not in header(analyst)
    assert archive not in header(agent)
    assert analysis not in header(agent)
