"""Who sees and does what: the officer everything; a unit's liaison only the items sent to their
unit (404 for any other, 403 for the officer's steps); every other role is refused (403 for a
page of a capability the role lacks, 404 for an object outside its scope)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enlace.directory.models import Dependency
from enlace.oir import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_to_hg(register, oir):
    request = register()
    item = request.items.get()
    actions.do_send_item(
        item,
        Dependency.objects.get(code="HG"),
        timezone.localdate() + timedelta(days=2),
        acting_user=oir,
    )
    return request, item


PAGES = ["oir:list", "oir:new", "oir:reserved"]


@pytest.mark.parametrize("persona", ["agent", "punto_seguro", "resolution", "analyst", "liaison"])
def test_other_roles_may_not_open_the_officers_pages(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name


@pytest.mark.parametrize("persona", ["agent", "punto_seguro", "resolution", "analyst", "outsider"])
def test_a_request_outside_the_scope_is_not_found(persona, request, sent_to_hg, client_for):
    info, item = sent_to_hg
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("oir:detail", args=[info.pk])).status_code == 404
    assert client.get(reverse("oir:item", args=[item.pk])).status_code == 404
    assert (
        client.post(
            reverse("oir:item", args=[item.pk]), {"finding": "found", "answer": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("oir:action", args=[info.pk, "prorroga"]), {"reason": "x"}).status_code
        == 404
    )
    assert client.get(reverse("oir:pdf", args=[info.pk])).status_code == 404
    assert client.get(reverse("oir:item_file", args=[item.pk])).status_code == 404


def test_the_units_liaison_sees_and_answers_only_their_items(sent_to_hg, liaison, client_for):
    info, item = sent_to_hg
    client = client_for(liaison)
    assert client.get(reverse("oir:home")).url == reverse("oir:unit")
    assert [i.pk for i in client.get(reverse("oir:unit")).context["items"]] == [item.pk]
    assert client.get(reverse("oir:item", args=[item.pk])).status_code == 200
    # The request's own page and the officer's steps are not theirs.
    assert client.get(reverse("oir:detail", args=[info.pk])).status_code == 403
    response = client.post(reverse("oir:action", args=[info.pk, "prorroga"]), {"reason": "x"})
    assert response.status_code == 403
    assert client.get(reverse("oir:pdf", args=[info.pk])).status_code == 403
    info.refresh_from_db()
    assert not info.extended


def test_an_outsider_liaison_sees_no_items(sent_to_hg, outsider, client_for):
    client = client_for(outsider)
    assert client.get(reverse("oir:unit")).context["items"] == []


def test_anonymous_visitors_are_sent_to_log_in(sent_to_hg, client):
    info, _item = sent_to_hg
    for url in (reverse("oir:list"), reverse("oir:detail", args=[info.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/cuenta/" in response.url


def test_the_header_offers_the_oir_to_the_officer_liaisons_and_analysts_only(
    oir, liaison, analyst, agent, client_for
):
    link = f'href="{reverse("oir:home")}"'
    assert link in client_for(oir).get(reverse("oir:list")).content.decode()
    assert link in client_for(liaison).get(reverse("oir:unit")).content.decode()
    assert client_for(analyst).get(reverse("oir:home")).url == reverse("oir:statistics")
    assert link not in client_for(agent).get(reverse("cases:list")).content.decode()
    assert client_for(agent).get(reverse("oir:home")).status_code == 403


def test_statistics_are_for_the_officer_analysts_and_administrators(
    oir, analyst, admin_user, liaison, agent, client_for
):
    url = reverse("oir:statistics")
    for user in (oir, analyst, admin_user):
        assert client_for(user).get(url).status_code == 200
    for user in (liaison, agent):
        assert client_for(user).get(url).status_code == 403


def test_the_list_reads_a_fixed_number_of_queries_whatever_its_rows(register, oir, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(oir)
    register()
    client.get(reverse("oir:list"))  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("oir:list"))
    for _ in range(8):
        register()
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("oir:list"))
    assert len(page.context["rows"]) == 9
    assert len(many) == len(few)
