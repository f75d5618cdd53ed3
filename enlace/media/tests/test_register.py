"""Registering a news item at /medios/nueva/: per-field errors (400) and nothing stored on bad
input; the clipping or recording told by its content, stored under its hash and served only
through the access-checked view."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from enlace.media.models import NewsItem
from enlace.media.tests.factories import EXE, PDF, PNG, outlet

NEW = reverse("media:new")


@pytest.fixture
def carmen(db):
    return make_user("carmen", "communications", first_name="Carmen")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


def posted(**values):
    outlet("lpg", "La Prensa Gráfica")
    data = {
        "outlet": "lpg",
        "published_on": timezone.localdate().isoformat(),
        "headline": "Nueva sala de emergencias en el Hospital General",
        "summary": "El ISSS inauguró la nueva sala.",
        "url": "https://www.laprensagrafica.com/elsalvador/nota",
        "topic": "infraestructura",
        "tone": "positive",
        "dependency": "Hospital General [HG]",
        "authority": "",
        "spokesperson": "Director del Hospital General",
    }
    data.update(values)
    return data


def test_an_item_with_its_pdf_clipping_is_registered_and_served(client_for, carmen, media_root):
    client = client_for(carmen)
    clip = SimpleUploadedFile("recorte.pdf", PDF, content_type="application/pdf")
    response = client.post(NEW, {**posted(), "clip": clip})
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert response["Location"] == reverse("media:detail", args=[item.pk])
    assert (item.outlet.code, item.medium, item.tone, item.dependency.code) == (
        "lpg",
        "press",
        "positive",
        "HG",
    )
    assert item.registered_by == carmen
    assert item.registered_at is not None
    digest = hashlib.sha256(PDF).hexdigest()
    assert item.clip.name == f"media/{digest[:2]}/{digest}.pdf"
    assert (item.clip_type, item.clip_size, item.clip_name) == (
        "application/pdf",
        len(PDF),
        "recorte.pdf",
    )
    assert "hospital" in item.search_text
    assert " hospital " in item.search_stems
    page = client.get(reverse("media:detail", args=[item.pk]))
    assert page.status_code == 200
    assert "recorte.pdf" in page.content.decode()
    served = client.get(reverse("media:clip", args=[item.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == PDF


def test_an_image_is_kept_whatever_its_name_says(client_for, carmen, media_root):
    clip = SimpleUploadedFile("foto.pdf", PNG, content_type="application/pdf")
    assert client_for(carmen).post(NEW, {**posted(), "clip": clip}).status_code == 302
    item = NewsItem.objects.get()
    assert item.clip_type == "image/png"
    assert item.clip.name.endswith(".png")


def test_an_executable_renamed_pdf_is_refused_and_nothing_is_stored(client_for, carmen, media_root):
    clip = SimpleUploadedFile("recorte.pdf", EXE, content_type="application/pdf")
    response = client_for(carmen).post(NEW, {**posted(), "clip": clip})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"clip"}
    assert "recorte.pdf" in response.context["form"].errors["clip"][0]
    assert not NewsItem.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "content", [b"", b"<html><script>alert(1)</script></html>", b"just some text\n" * 50]
)
def test_empty_files_web_pages_and_text_are_refused(client_for, carmen, media_root, content):
    clip = SimpleUploadedFile("nota.mp4", content, content_type="video/mp4")
    response = client_for(carmen).post(NEW, {**posted(), "clip": clip})
    assert response.status_code == 400
    assert "clip" in response.context["form"].errors
    assert not NewsItem.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_refused(client_for, carmen, media_root, settings):
    settings.MEDIA_CLIP_MAX_BYTES = 100
    clip = SimpleUploadedFile("recorte.pdf", PDF + b" " * 200, content_type="application/pdf")
    response = client_for(carmen).post(NEW, {**posted(), "clip": clip})
    assert response.status_code == 400
    assert "clip" in response.context["form"].errors
    assert not NewsItem.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"headline": ""}, "headline"),
        ({"headline": "x" * 301}, "headline"),
        ({"outlet": "no-such"}, "outlet"),
        ({"topic": ""}, "topic"),
        ({"tone": "furious"}, "tone"),
        ({"medium": "telepathy"}, "medium"),
        ({"published_on": ""}, "published_on"),
        ({"published_on": "2026-02-30"}, "published_on"),
        ({"published_on": "0001-01-01"}, "published_on"),
        ({"published_on": "9999-12-31"}, "published_on"),
        ({"published_on": "1999-12-31"}, "published_on"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "not a link"}, "url"),
        ({"dependency": "Hospital de Marte"}, "dependency"),
        ({"summary": "x" * 5001}, "summary"),
    ],
)
def test_bad_input_gets_its_fields_error_and_stores_nothing(
    client_for, carmen, media_root, values, field
):
    response = client_for(carmen).post(NEW, posted(**values))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not NewsItem.objects.exists()


def test_a_publication_date_in_the_future_is_refused(client_for, carmen, media_root):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(carmen).post(NEW, posted(published_on=tomorrow))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"published_on"}


def test_the_medium_is_the_outlets_unless_another_is_given(client_for, carmen, media_root):
    client = client_for(carmen)
    assert client.post(NEW, posted(headline="Uno")).status_code == 302
    assert client.post(NEW, posted(headline="Dos", medium="digital")).status_code == 302
    assert dict(NewsItem.objects.values_list("headline", "medium")) == {
        "Uno": "press",
        "Dos": "digital",
    }


def test_the_form_page_opens(client_for, carmen):
    outlet()
    response = client_for(carmen).get(NEW)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_an_item_without_a_file_has_no_clip_to_serve(client_for, carmen, media_root):
    client = client_for(carmen)
    client.post(NEW, posted())
    item = NewsItem.objects.get()
    assert client.get(reverse("media:clip", args=[item.pk])).status_code == 404
    assert client.get(reverse("media:detail", args=[item.pk + 1000])).status_code == 404
