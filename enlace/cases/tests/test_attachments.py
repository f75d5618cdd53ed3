"""Files citizens sent, on the case page: listed, and served only to who may see the case."""

import pytest

from enlace.channels import attachments

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def with_files(make_case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = make_case(centre="HG", type="queja")
    photo = attachments.store(JPEG, "receta <b>.jpg", case_id=case.pk)
    referral = attachments.store(PDF, "referencia.pdf", case_id=case.pk)
    return case, photo, referral


def test_the_case_page_lists_the_files_and_serves_them_as_what_they_are(
    with_files, client_for, liaison
):
    case, photo, referral = with_files
    client = client_for(liaison)  # the liaison of Hospital General, the case's centre
    page = client.get(f"/casos/{case.pk}/").content.decode()
    assert f"/casos/{case.pk}/adjuntos/{photo.pk}/" in page
    assert "receta &lt;b&gt;.jpg" in page  # the name is text, never markup
    response = client.get(f"/casos/{case.pk}/adjuntos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(f"/casos/{case.pk}/adjuntos/{referral.pk}/")["Content-Type"] == (
        "application/pdf"
    )


def test_a_file_is_refused_outside_the_case_and_its_scope(
    with_files, client_for, outsider, make_case, resolution
):
    case, photo, _referral = with_files
    # A liaison of another centre does not learn the case or the file exists.
    assert client_for(outsider).get(f"/casos/{case.pk}/adjuntos/{photo.pk}/").status_code == 404
    # A file is only reachable under its own case.
    other = make_case(centre="HG", type="reclamo")
    response = client_for(resolution).get(f"/casos/{other.pk}/adjuntos/{photo.pk}/")
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(with_files, client):
    case, photo, _referral = with_files
    response = client.get(f"/casos/{case.pk}/adjuntos/{photo.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/entrar/")
