"""The administration of the archive: outlets, topics and items listed; an outlet renamed there
is found by its new name."""

from __future__ import annotations

from django.urls import reverse

from conftest import make_user
from enlace.media.models import NewsItem
from enlace.media.queries import search
from enlace.media.tests.factories import item, outlet


def test_the_archive_is_in_the_administration(client_for, admin_user, db):
    carmen = make_user("carmen", "communications")
    news = item(carmen, headline="Nota")
    client = client_for(admin_user)
    for name in ("media_outlet", "media_mediatopic", "media_newsitem"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    page = client.get(reverse("admin:media_newsitem_change", args=[news.pk]))
    assert page.status_code == 200
    assert client.get(reverse("admin:media_newsitem_add")).status_code == 403


def test_an_outlet_renamed_in_the_administration_is_searched_by_its_new_name(
    client_for, admin_user, db
):
    carmen = make_user("carmen", "communications")
    diario = outlet("diario", "Diario Uno")
    item(carmen, outlet=diario, headline="Nota")
    response = client_for(admin_user).post(
        reverse("admin:media_outlet_change", args=[diario.pk]),
        {"code": "diario", "name": "Gaceta Nacional", "medium": "press", "is_active": "on"},
    )
    assert response.status_code == 302
    assert search(NewsItem.objects.all(), "gaceta").count() == 1
    assert search(NewsItem.objects.all(), "diario").count() == 0
