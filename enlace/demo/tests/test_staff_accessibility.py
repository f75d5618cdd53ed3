"""axe-core finds no accessibility violation on the staff's pages: in a real browser (Debian's
headless chromium), over `make run`'s demo data, as the demo user of every role.

The crawl is the Spanish one's (enlace/demo/tests/test_spanish_pages.py: its demo data, its demo
users, which links it follows and which views it reads), with two differences: one page per view
whatever its query parameters (a list filtered another way is the same markup), and a view no
role's crawl has checked yet is read before one another role's has, so that a few pages per role
reach every view. Downloads (exports, PDFs, XLSX, attachments), the administration (Django's
own) and the citizens' pages (enlace/portal/tests/test_browser.py reads them) are left out. One
record of each kind the demo leaves empty (a request of a person's data, a breach, a
participation event, an information medium) is added so that its page is read; so are a
campaign's call, the "not found" and "not allowed" pages, and the accounts' pages no link leads
to (the login, a password forgotten or changed).

Each page is opened in the browser and its scripts run (htmx's parts loaded); then axe-core runs
on it with the portal's rules (WCAG 2.1 A and AA, and best practice). The test fails with every
page's violations: rule, help and the elements.

The demo users log in once each: the session Django's test client opens for them is given to the
browser as its cookie (no second factor asked: SECOND_FACTOR_ROLES is emptied).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.campaigns.models import Contact
from enlace.cases.models import Case
from enlace.demo.tests.test_spanish_pages import (
    DEMO_USER,
    IMPORTED,
    Crawl,
    _imported_and_rated_case,
)
from enlace.directory.models import Municipality
from enlace.participation.actions import EventData, do_register_event, do_save_medium
from enlace.participation.models import InformationMedium, Mechanism, MediumKind
from enlace.portal.tests.test_browser import AXE_JS, axe_violations
from enlace.privacy.actions import (
    NewBreach,
    NewSubjectRequest,
    do_register_breach,
    do_register_subject_request,
)
from enlace.privacy.models import RightKind, SubjectRequestChannel

pytestmark = [
    *BROWSER_TESTS,
    pytest.mark.skipif(
        not AXE_JS.exists(),
        reason=f"axe-core is not installed ({AXE_JS}): "
        "npm install --no-save --no-package-lock axe-core@4.14.1",
    ),
]

# Enough for the role that reaches the most views (the administrator, some 75) to read every view
# no other role reached; a page takes about a third of a second.
PAGES_PER_ROLE = 60
# Files, beyond the Spanish crawl's: the lists' and reports' exports (?formato=xlsx|csv).
MORE_DOWNLOADS = ("formato=",)
# The document is in, and htmx is done with the requests it makes at once (hx-trigger="load").
LOADED = "return document.readyState === 'complete' && !document.querySelector('.htmx-request');"
# What the server answered the document's request with, as the browser saw it.
ANSWER = (
    "const [entry] = performance.getEntriesByType('navigation');"
    "return [entry ? entry.responseStatus : 0, document.contentType];"
)


def seed() -> None:
    """The Spanish crawl's demo data (its `seeded`, committed here: the live server reads it)."""
    call_command("load_directory", verbosity=0)
    call_command("load_catalogues", verbosity=0)
    call_command(
        "seed_demo",
        *("--opinions", "15", "--inquiries", "15", "--no-seed-semester", "--force"),
        stdout=io.StringIO(),
    )
    _imported_and_rated_case()
    _office_records()


def _office_records() -> None:
    """One record of the kinds the demo leaves empty, so that their pages are read too: a
    request of a person's data and a breach (the data-protection officer's), a participation
    event and an information medium (communications')."""
    dpo = User.objects.get(username=DEMO_USER[Role.DPO])
    do_register_subject_request(
        NewSubjectRequest(
            kind=RightKind.ACCESS,
            channel=SubjectRequestChannel.IN_PERSON,
            requester_name="Marta Ruiz",
            description="Una copia de mis datos.",
            dui="00016297-5",
        ),
        acting_user=dpo,
    )
    do_register_breach(
        NewBreach(
            title="Correo enviado a otra persona",
            discovered_at=timezone.now() - timedelta(hours=2),
            description="La respuesta de un caso llegó a otra dirección.",
            data_affected="Nombre y teléfono",
            people_affected=1,
        ),
        acting_user=dpo,
    )
    communications = User.objects.get(username=DEMO_USER[Role.COMMUNICATIONS])
    day = timezone.localdate() - timedelta(days=7)
    do_register_event(
        EventData(
            mechanism=Mechanism.objects.get(code="ferias_salud"),
            name="Feria de salud en Ilobasco",
            starts_on=day,
            ends_on=day,
            municipality=Municipality.objects.get(name="Ilobasco"),
        ),
        acting_user=communications,
    )
    do_save_medium(
        InformationMedium(kind=MediumKind.BULLETIN_BOARD, name="Vestíbulo", quantity=2),
        acting_user=communications,
    )


@dataclass
class AxeCrawl(Crawl):
    """The Spanish crawl, its pages opened in the browser (its test client is left unused) and
    checked by axe-core; `found` is page → violations. `checked` (the views read so far) is
    shared by every role's crawl."""

    browser: Any = None
    base: str = ""
    checked: set[tuple[str, ...]] = field(default_factory=set)
    keys: dict[str, tuple[str, ...] | None] = field(default_factory=dict)

    def key(self, url: str) -> tuple[str, ...] | None:
        """One page per view, whatever its query parameters."""
        if url not in self.keys:
            key = super().key(url)
            self.keys[url] = key[:1] if key else None
        return self.keys[url]

    def follows(self, link: str) -> bool:
        return super().follows(link) and not any(part in link for part in MORE_DOWNLOADS)

    def page(self, url: str, *, status: int = 200) -> str | None:
        self.browser.get(self.base + url)  # a redirect (a start page's) is followed
        wait_for(lambda: self.browser.execute_script(LOADED))
        if self.browser.execute_script(ANSWER) != [status, "text/html"]:
            return None
        self.read += 1
        found = axe_violations(self.browser)
        if found:
            self.found[url] = found
        return str(self.browser.page_source)

    def links(self, url: str, page: str) -> list[str]:
        """The page's links this crawl follows, as paths with their query."""
        netlocs = ("", "testserver", urlparse(self.base).netloc)
        found = []
        for href in re.findall(r'href="([^"#]+)"', page):
            target = urlparse(urljoin(url, href.replace("&amp;", "&")))
            if target.scheme not in ("", "http") or target.netloc not in netlocs:
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if self.follows(link):
                found.append(link)
        return found

    def run(self, start: list[str]) -> None:
        """The start pages, then breadth first, a view no crawl has checked before one another
        crawl has. A page refused or missing is not counted: another address of its view may
        be read."""
        queue, queued, tried = list(start), set(start), set[str]()
        visits, first = 0, len(start)
        while queue and visits < self.limit:
            if first:
                index, first = 0, first - 1
            else:
                new = (i for i, link in enumerate(queue) if self.key(link) not in self.checked)
                index = next(new, 0)
            url = queue.pop(index)
            key = self.key(url)
            if key is None or key in self.seen or url in tried:
                continue
            tried.add(url)
            page = self.page(url)
            if page is None:
                continue
            visits += 1
            # Redirected (a start page): the view it led to is the one read.
            landed = urlparse(self.browser.current_url)
            read = self.key(landed.path + (f"?{landed.query}" if landed.query else "")) or key
            self.seen |= {key, read}
            self.checked |= {key, read}
            for link in self.links(url, page):
                if link not in queued and self.key(link) not in self.seen:
                    queued.add(link)
                    queue.append(link)


def log_in(browser: Any, base: str, username: str | None) -> None:
    """The browser holds the session Django's test client opened for `username` (no one's for
    None)."""
    browser.delete_all_cookies()
    if username is None:
        return
    client = Client()
    client.force_login(User.objects.get(username=username))
    browser.get(base + "/static/core/enlace.css")  # a page of the site: its cookies can be set
    name = django_settings.SESSION_COOKIE_NAME
    browser.add_cookie({"name": name, "value": client.cookies[name].value, "path": "/"})


def report(found: dict[str, list[str]]) -> str:
    return "axe-core's violations on the staff's pages:\n" + "\n".join(
        f"{page}:\n  " + "\n  ".join(violations) for page, violations in found.items()
    )


def test_axe_finds_no_violation_on_any_role_s_pages(
    live_server: Any, browser: Any, settings: Any
) -> None:
    settings.SECOND_FACTOR_ROLES = []
    seed()
    case = Case.objects.get(external_id=IMPORTED)
    contact = Contact.objects.order_by("pk").first()
    assert contact is not None
    checked: set[tuple[str, ...]] = set()
    found: dict[str, list[str]] = {}
    read = {}
    for role, username in DEMO_USER.items():
        log_in(browser, live_server.url, username)
        crawl = AxeCrawl(
            Client(), PAGES_PER_ROLE, browser=browser, base=live_server.url, checked=checked
        )
        # The role's start page (enlace/core/views.py start), the imported and rated case's page
        # and a campaign's call (for the roles that may see them), then their links.
        crawl.run(["/inicio/", f"/casos/{case.pk}/", f"/campanas/llamada/{contact.pk}/"])
        read[role] = crawl.read
        found |= {f"{role} {url}": violations for url, violations in crawl.found.items()}
    assert all(count >= 5 for count in read.values()), read  # pages, not a login or a refusal

    # The "not found" and "not allowed" pages, logged in and not; the pages of the accounts no
    # link leads to (a password changed, the login, a password forgotten).
    log_in(browser, live_server.url, DEMO_USER[Role.AGENT])
    agent = AxeCrawl(Client(), 0, browser=browser, base=live_server.url)
    assert agent.page("/no-existe/", status=404) is not None  # no route
    assert agent.page("/casos/999999999/", status=404) is not None  # a view's "not found"
    assert agent.page("/informes/cumplimiento/", status=403) is not None  # not the agent's
    assert agent.page("/cuenta/contrasena/lista/") is not None
    log_in(browser, live_server.url, None)
    anonymous = AxeCrawl(Client(), 0, browser=browser, base=live_server.url)
    assert anonymous.page("/no-existe/", status=404) is not None
    for url in (
        "/cuenta/entrar/",
        "/cuenta/contrasena/olvido/",
        "/cuenta/contrasena/olvido/enviado/",
    ):
        assert anonymous.page(url) is not None, url
    found |= {f"agent {url}": violations for url, violations in agent.found.items()}
    found |= {f"anonymous {url}": violations for url, violations in anonymous.found.items()}
    assert found == {}, report(found)
