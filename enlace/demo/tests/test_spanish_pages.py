"""No English left behind: the staff's pages, crawled in Spanish (the office's language) as the
demo user of every role, over `make run`'s demo data, hold no English.

A page's text is what a person reads or a screen reader says: its text nodes, the labels of
aria-label, title, placeholder and alt, and the value of a button-like input. The text of
<script>, <style>, <code>, <kbd>, <pre> and <datalist> is left out (code, data), and so is every
other attribute's value. Two checks run on each piece of text:

- a piece with an English function word ("the", "your", "has been"...) and no Spanish letter
  is a sentence left untranslated (or never marked for translation);
- a piece with one of the English words of `WORDS` ("Save", "History", "Page not found",
  "Task", a model field's name such as "source"...), as a whole word, whatever else the piece
  holds, is a label left in English (Django's admin, a third-party app, a raw field name).

Proper nouns and the names of file formats (`NAMES`) are taken out of a piece first.

The crawl follows the links of each page within the site, breadth first, one page per view and
set of query parameters (the second case's page teaches nothing the first did not), up to a
number of pages per role; the administrator also crawls the administration. The "not found"
and "not allowed" pages are read too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlparse

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from enlace.accounts.models import Role, User
from enlace.cases.models import Case
from enlace.imports.actions import do_import_cases
from enlace.imports.readers import RowsSource
from enlace.imports.rows import SPEC
from enlace.portal.actions import do_rate_case
from enlace.portal.models import Satisfaction

FUNCTION_WORDS = re.compile(
    r"\b(the|your|you|this|with|from|which|there|is not|has been|no such|choose|write|give|"
    r"has|have|been|will|would|should|yet|only|before|after|must|cannot)\b",
    re.IGNORECASE,
)
SPANISH = re.compile(r"[áéíóúñ¿¡ÁÉÍÓÚÑ]")
# English words no Spanish label holds. Case-sensitive: the capitalised ones are a button's or
# a heading's first word, the lower-case ones a raw field or technical name.
WORDS = re.compile(
    r"\b(Page not found|Not found|Task|Tasks|Ready|Running|Django|[Ss]ource|[Ss]atisfaction|"
    r"[Ee]ndpoints?|Save|Delete|Search|Filter|Add|Change|History|Logout|Log out|Log in|"
    r"Password|Username|Welcome|View site|Home|Action|Actions|Select all|Go|Yes|Cancel|"
    r"Submit|Previous|Next|Recent actions|Documentation|Show all|Clear all filters|"
    r"Successful|Failed|Enqueued|Queued|Created|Updated|Deleted|"
    r"Can (?:add|change|delete|view))\b"
)
# Proper nouns and formats, the same in Spanish: taken out before the check (Django-RQ: the
# product django-rq names its one model after, in the administration's list of permissions).
NAMES = re.compile(
    r"\b(XLSX|CSV|PDF|JSON|HTML|WhatsApp|Facebook|YouTube|Twitter|Instagram|TikTok|Django-RQ|"
    r"Open311|GeoReport|Enlace|ISSS|OIR|DUI|NIT|TOTP|QR|API|URL|HMAC|SHA-256|UTF-8|Excel)\b"
)
SKIP = ("/api/", "/static/", "/i18n/", "/cuenta/salir", "/open311/", "/media/", "/metrics")
# The administration has its own crawl (the administrator's), without its "log out" (a POST in
# Django 5.2 anyway) and "view on site" (a redirect out of it).
ADMIN = "/admin/"
ADMIN_SKIP = ("/admin/logout/", "/admin/r/", "/admin/jsi18n/", "/admin/password_change/")
# Files, not pages (a link's address holding any of these).
DOWNLOADS = (
    *(".pdf", ".xlsx", ".csv", ".json", ".svg", ".png"),
    *("exportar", "/fotos/", "/adjuntos/", "/descargar", "/qr", "/cartel", "format="),
)
PAGES_PER_ROLE = 40
ADMIN_PAGES = 40
IMPORTED = "HIST-ESPANOL-1"  # the external key of the imported, rated case
# The citizens' pages (the portal, a study's questionnaire, the OIR's public forms) are not the
# console: their own tests read them.
PUBLIC_VIEWS = ("enlace.portal.", "enlace.surveys.public.", "enlace.oir.public_views")

# The demo user of each role (enlace/demo/management/commands/seed_demo.py).
DEMO_USER = {
    Role.AGENT: "agente",
    Role.CALL_SUPERVISOR: "supervisor",
    Role.PUNTO_SEGURO: "puntoseguro",
    Role.RESOLUTION: "resolucion",
    Role.LIAISON: "enlace.hg",
    Role.OIR_OFFICER: "oir",
    Role.COMMUNICATIONS: "comunicaciones",
    Role.ANALYST: "analista",
    Role.DPO: "datos",
    Role.ADMINISTRATOR: "admin",
}
# Where the administrator's crawl of the administration starts: its index, the accounts, the
# task queue (config/apps.py TaskQueueConfig) with a filter, the centres, the webhooks.
ADMIN_START = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/django_tasks_database/dbtaskresult/",
    "/admin/django_tasks_database/dbtaskresult/?status__exact=READY",
    "/admin/directory/dependency/",
    "/admin/webhooks/webhookendpoint/",
    "/admin/webhooks/webhookendpoint/add/",
]


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
        _imported_and_rated_case()
        yield
        transaction.set_rollback(True)


def _imported_and_rated_case() -> None:
    """A case whose history holds what the demo's small seed has not: its import (the import's
    source in the timeline) and the citizen's rating of the answer (made in the portal)."""
    example = {column.name: column.example for column in SPEC if "opinion" in column.kinds}
    result = do_import_cases(
        RowsSource([{**example, "external_id": IMPORTED}], "seed-003-ejemplo"), actor=None
    )
    assert result.committed, result.first_problems
    do_rate_case(Case.objects.get(external_id=IMPORTED), Satisfaction.DONT_KNOW)


class _Text(HTMLParser):
    """The pieces of text a person reads or hears on a page."""

    HIDDEN = frozenset({"script", "style", "code", "kbd", "pre", "datalist", "template"})
    SPOKEN = ("aria-label", "title", "placeholder", "alt")
    BUTTONS = frozenset({"submit", "button", "reset"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden: list[str] = []
        self.texts: list[str] = []
        self.labels: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.labels += [values[name] or "" for name in self.SPOKEN if name in values]
        if tag == "input" and (values.get("type") or "").lower() in self.BUTTONS:
            self.labels.append(values.get("value") or "")
        if tag in self.HIDDEN:
            self.hidden.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.HIDDEN:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.hidden:
            while self.hidden and self.hidden.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.texts.append(data)


def pieces(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    parser.close()
    texts = [" ".join(text.split()) for text in parser.texts + parser.labels]
    return [text for text in texts if text]


def english_in(page: str) -> list[str]:
    found = []
    for text in pieces(page):
        plain = NAMES.sub(" ", text)
        sentence = FUNCTION_WORDS.search(plain) and not SPANISH.search(plain) and len(plain) > 3
        if (sentence or WORDS.search(plain)) and text not in found:
            found.append(text)
    return found


@dataclass
class Crawl:
    client: Client
    limit: int
    within: str = "/"
    seen: set[tuple[str, ...]] = field(default_factory=set)
    found: dict[str, list[str]] = field(default_factory=dict)
    read: int = 0

    def key(self, url: str) -> tuple[str, ...] | None:
        """One visit per view and set of query parameters; None for a link to no view."""
        target = urlparse(url)
        try:
            match = resolve(target.path)
        except Resolver404:
            return None
        if match.func.__module__.startswith(PUBLIC_VIEWS):
            return None
        names = sorted({name for name, _value in parse_qsl(target.query, keep_blank_values=True)})
        return (match.route, *names)

    def follows(self, link: str) -> bool:
        if not link.startswith(self.within) or link.startswith(SKIP + ADMIN_SKIP):
            return False
        if self.within != ADMIN and link.startswith(ADMIN):
            return False
        return not any(part in link for part in DOWNLOADS)

    def page(self, url: str, *, status: int = 200) -> str | None:
        # A start page redirects to the role's own page: followed.
        response = self.client.get(url, HTTP_ACCEPT_LANGUAGE="es", follow=status == 200)
        if response.status_code != status or "text/html" not in response.get("Content-Type", ""):
            return None
        self.read += 1
        page = response.content.decode()
        left = english_in(page)
        if left:
            self.found[url] = left
        return page

    def run(self, start: list[str]) -> None:
        """Breadth first, a view not yet read before another set of parameters of one read. A
        page refused or missing is not counted: another address of its view may be read."""
        fresh, variants = list(start), list[str]()
        tried: set[str] = set()
        visits = 0
        while (fresh or variants) and visits < self.limit:
            url = fresh.pop(0) if fresh else variants.pop(0)
            key = self.key(url)
            if key is None or key in self.seen or url in tried:
                continue
            tried.add(url)
            page = self.page(url)
            if page is None:
                continue
            self.seen.add(key)
            visits += 1
            routes = {seen[0] for seen in self.seen}
            for href in re.findall(r'href="([^"#]+)"', page):
                target = urlparse(urljoin(url, href.replace("&amp;", "&")))
                if target.scheme not in ("", "http") or target.netloc not in ("", "testserver"):
                    continue
                link = target.path + (f"?{target.query}" if target.query else "")
                if not self.follows(link):
                    continue
                link_key = self.key(link)
                if link_key is not None and link_key[0] not in routes:
                    fresh.append(link)
                else:
                    variants.append(link)


def report(found: dict[str, list[str]]) -> str:
    return "English left on the Spanish pages:\n" + "\n".join(
        f"{url}: {texts[:6]}" for url, texts in found.items()
    )


def test_every_role_is_crawled() -> None:
    assert set(DEMO_USER) == set(Role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(DEMO_USER), ids=[str(role) for role in DEMO_USER])
def test_staff_pages_hold_no_english_in_spanish(seeded: None, role: Role) -> None:
    client = Client()
    client.force_login(User.objects.get(username=DEMO_USER[role]))
    crawl = Crawl(client, PAGES_PER_ROLE)
    # The role's start page (enlace/core/views.py start), then the imported and rated case (the
    # page of a case, for the roles that may see it), then their links.
    case = Case.objects.get(external_id=IMPORTED)
    crawl.run(["/inicio/", f"/casos/{case.pk}/"])
    assert crawl.read >= 5  # the crawl reached the pages, not a login or a refusal
    assert crawl.found == {}, report(crawl.found)


@pytest.mark.django_db
def test_the_administration_holds_no_english_in_spanish(seeded: None) -> None:
    client = Client()
    client.force_login(User.objects.get(username=DEMO_USER[Role.ADMINISTRATOR]))
    crawl = Crawl(client, ADMIN_PAGES, within=ADMIN)
    user = User.objects.get(username="agente").pk
    # The user's page and a new group's list the permissions; its history is the history page.
    account = f"/admin/accounts/user/{user}/"
    crawl.run([*ADMIN_START, f"{account}change/", f"{account}history/", "/admin/auth/group/add/"])
    assert crawl.read >= 20
    assert crawl.found == {}, report(crawl.found)


@pytest.mark.django_db
def test_the_not_found_and_not_allowed_pages_are_spanish(seeded: None) -> None:
    client = Client()
    client.force_login(User.objects.get(username=DEMO_USER[Role.AGENT]))
    crawl = Crawl(client, 0)
    assert crawl.page("/no-existe/", status=404) is not None  # no route
    assert crawl.page("/casos/999999999/", status=404) is not None  # a view's "not found"
    assert crawl.page("/informes/cumplimiento/", status=403) is not None  # not the agent's
    anonymous = Crawl(Client(), 0)
    assert anonymous.page("/no-existe/", status=404) is not None
    assert anonymous.page("/cuenta/entrar/") is not None
    assert anonymous.page("/admin/login/") is not None
    found = crawl.found | anonymous.found
    assert found == {}, report(found)


def test_the_detector_finds_english_and_spares_spanish() -> None:
    page = (
        '<p>Elija un centro.</p><button aria-label="Choose the centre">x</button>'
        "<p>No such study.</p><td>Hospital General</td>"
        "<li>source: seed-003-000123</li><li>Satisfaction: No sé</li>"
        '<input type="submit" value="Save"><a href="/historia/" class="History">Historial</a>'
        "<script>const Task = 'Ready';</script><code>Django</code><kbd>Delete</kbd>"
        "<p>Exportar a XLSX, CSV o PDF; WhatsApp y Facebook.</p><h1>Page not found</h1>"
        "<p>Cambiar la dirección del webhook</p><th>Añadir</th><td>Historia clínica</td>"
        "<option>Casos | caso | Can add caso</option><option>Casos | caso | Puede ver caso</option>"
        "<li>Django_Rq | Django-RQ | Acceder a la página de administración</li>"
    )
    assert english_in(page) == [
        "No such study.",
        "source: seed-003-000123",
        "Satisfaction: No sé",
        "Page not found",
        "Casos | caso | Can add caso",
        "Choose the centre",
        "Save",
    ]
