"""No English left behind: the staff's pages, crawled in Spanish (the office's language) as the
demo users of several roles, over `make run`'s demo data, hold no sentence in English.

A page's text (its text nodes and the labels a screen reader says: aria-label, title,
placeholder, alt) is split at tags; a piece with an English function word and no Spanish letter
is a string left untranslated (or never marked for translation). The crawl follows the links of
each page within the site, breadth first, up to a number of pages per role.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from enlace.accounts.models import User

ENGLISH = re.compile(
    r"\b(the|your|you|this|with|from|which|there|is not|has been|no such|choose|write|give|"
    r"has|have|been|will|would|should|yet|only|before|after|must|cannot)\b",
    re.IGNORECASE,
)
SPANISH = re.compile(r"[áéíóúñ¿¡ÁÉÍÓÚÑ]")
SKIP = ("/admin/", "/api/", "/static/", "/i18n/", "/cuenta/salir", "/open311/")
DOWNLOADS = (".pdf", ".xlsx", ".csv", ".json", "exportar", "/fotos/", "/adjuntos/", "/descargar")
PAGES_PER_ROLE = 45


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: object) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        call_command("load_directory", verbosity=0)
        call_command("load_catalogues", verbosity=0)
        call_command(
            "seed_demo",
            "--opinions",
            "15",
            "--inquiries",
            "15",
            "--no-seed-semester",
            "--force",
            stdout=io.StringIO(),
        )
        yield
        transaction.set_rollback(True)


def pieces(page: str) -> list[str]:
    page = re.sub(r"(?s)<(script|style|datalist|code|pre)\b.*?</\1>", " ", page)
    labels = re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', page)
    body = re.sub(r"(?s)<[^>]+>", "\n", page)
    return [html.unescape(text).strip() for text in body.split("\n") + labels if text.strip()]


def english_in(page: str) -> list[str]:
    return [
        text
        for text in pieces(page)
        if ENGLISH.search(text) and not SPANISH.search(text) and len(text) > 3
    ]


def crawl(client: Client, start: list[str]) -> tuple[dict[str, list[str]], int]:
    """The English found per page, and how many pages were read."""
    seen: set[str] = set()
    read = 0
    queue = list(start)
    found: dict[str, list[str]] = {}
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        read += 1
        page = response.content.decode()
        left = english_in(page)
        if left:
            found[url] = left
        for href in re.findall(r'href="([^"#]+)"', page):
            target = urlparse(urljoin(url, html.unescape(href)))
            path = target.path
            if target.netloc or not path.startswith("/") or path.startswith(SKIP):
                continue
            if any(part in path for part in DOWNLOADS):
                continue
            queue.append(path + (f"?{target.query}" if target.query else ""))
    return found, read


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "start"),
    [
        ("resolucion", ["/casos/", "/estudios/", "/mejoras/", "/informes/tablero/"]),
        ("agente", ["/casos/", "/estudios/", "/llamadas/"]),
        ("enlace.hg", ["/casos/", "/estudios/", "/mejoras/"]),
        ("analista", ["/informes/participacion/", "/estudios/", "/casos/"]),
    ],
)
def test_staff_pages_hold_no_english_in_spanish(
    seeded: None, username: str, start: list[str]
) -> None:
    client = Client()
    client.force_login(User.objects.get(username=username))
    found, read = crawl(client, start)
    assert read >= 10  # the crawl reached the pages, not a login or a refusal
    assert found == {}, "English left on the Spanish pages:\n" + "\n".join(
        f"{url}: {texts[:5]}" for url, texts in found.items()
    )


def test_the_detector_finds_english_and_spares_spanish() -> None:
    page = (
        '<p>Elija un centro.</p><button aria-label="Choose the centre">x</button>'
        "<p>No such study.</p><td>Hospital General</td>"
    )
    assert english_in(page) == ["No such study.", "Choose the centre"]
