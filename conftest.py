"""Shared test fixtures: one persona per role, and a way to register cases.

The organisation and the catalogues are in every test database: migrate loads them
(enlace/directory/apps.py, enlace/catalogues/apps.py).

Personas: `agent` (call centre), `punto_seguro` (desk at Hospital General), `resolution`
(resolution section), `liaison` (Hospital General), `outsider` (liaison of another centre,
Unidad Médica Zacamil), `oir` (OIR officer), `analyst` (read-only), `admin`.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from enlace.accounts.models import Role, User
from enlace.cases.actions import Citizen, NewCase, do_register_case
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.catalogues.models import Channel, InquiryTopic, Limitante, OpinionType
from enlace.directory.models import Dependency


def pytest_configure(config: pytest.Config) -> None:
    """Passwords hashed by a fast hasher in tests: production's PBKDF2 costs half a second a
    user on these machines, and the fixtures make hundreds. What a password protects is
    tested (accounts, lock-out); how slowly it is hashed is Django's."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        _serve_one_request_at_a_time()
        _read_without_table_locks()


def _read_without_table_locks() -> None:
    """The tests' in-memory SQLite database is one shared cache, and the live server may hold
    a connection of its own beside the test's (pytest-django starts it once for the session,
    with the connection of that moment): a test polling the database while the server writes
    then met "database table is locked". Reading uncommitted rows takes no table lock in a
    shared cache, so a poll never blocks a write nor fails on one."""
    from django.db.backends.signals import connection_created

    def read_uncommitted(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(read_uncommitted, weak=False)


def _serve_one_request_at_a_time() -> None:
    """On SQLite the tests' database lives in memory, and Django's live server shares the
    test's one connection with every request thread: two requests at once (a console's poll
    and the page it opens) then meet inside one transaction ("cannot start a transaction
    within a transaction"). The browser tests' live server answers one request at a time
    there, as a single connection can; Django closes each HTTP connection after its answer, so
    a browser's other requests wait their turn. PostgreSQL keeps the threaded server."""
    from django.core.servers.basehttp import WSGIServer
    from django.test import testcases

    class OneRequestAtATime(WSGIServer):
        def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
            # The server's own thread already uses the test's connection (LiveServerThread.run).
            super().__init__(*args, **kwargs)

    testcases.LiveServerThread.server_class = OneRequestAtATime  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def _fresh_questionnaires() -> Iterator[None]:
    """Published questionnaires are kept per process by version id; a test database that
    reuses ids after a rollback (SQLite) must not find another test's."""
    from enlace.surveys.actions.responses import forget_questionnaires

    forget_questionnaires()
    yield
    forget_questionnaires()


@pytest.fixture(autouse=True)
def _office_language() -> Iterator[None]:
    """Each test starts in the office's language: a request in English made by an earlier test
    in the same process leaves its language active in the thread otherwise."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def make_user(username: str, role: str, dependency_code: str | None = None, **extra: Any) -> User:
    dependency = Dependency.objects.get(code=dependency_code) if dependency_code else None
    return User.objects.create_user(
        username=username, password="secreto-de-prueba", role=role, dependency=dependency, **extra
    )


@pytest.fixture
def agent(db: None) -> User:
    return make_user("alicia", Role.AGENT, first_name="Alicia")


@pytest.fixture
def punto_seguro(db: None) -> User:
    return make_user("pablo", Role.PUNTO_SEGURO, "HG")


@pytest.fixture
def resolution(db: None) -> User:
    return make_user("rosa", Role.RESOLUTION)


@pytest.fixture
def liaison(db: None) -> User:
    return make_user("bruno", Role.LIAISON, "HG")


@pytest.fixture
def outsider(db: None) -> User:
    return make_user("carlos", Role.LIAISON, "UM-ZAC")


@pytest.fixture
def oir(db: None) -> User:
    return make_user("olga", Role.OIR_OFFICER)


@pytest.fixture
def analyst(db: None) -> User:
    return make_user("andres", Role.ANALYST)


@pytest.fixture
def dpo(db: None) -> User:
    return make_user("dora", Role.DPO, first_name="Dora")


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("adela", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def make_case(db: None) -> Callable[..., Case]:
    """Register a case through the real action; keyword arguments override the defaults."""

    def make(kind: str = CaseKind.OPINION, *, by: User | None = None, **overrides: Any) -> Case:
        values: dict[str, Any] = {
            "kind": kind,
            "channel": Channel.objects.get(code=overrides.pop("channel", "llamada_127")),
            "description": "No hay medicamento en la farmacia",
        }
        if kind == CaseKind.OPINION:
            values["opinion_type"] = OpinionType.objects.get(code=overrides.pop("type", "reclamo"))
            values["dependency"] = Dependency.objects.get(code=overrides.pop("centre", "HG"))
            limitante = overrides.pop("limitante", "falta_medicamento")
            values["limitante"] = Limitante.objects.get(code=limitante) if limitante else None
        else:
            values["topic"] = InquiryTopic.objects.get(code=overrides.pop("topic", "horarios"))
            centre = overrides.pop("centre", None)
            values["dependency"] = Dependency.objects.get(code=centre) if centre else None
        citizen = overrides.pop("citizen", None)
        if citizen:
            values["citizen"] = Citizen(**citizen)
        values.update(overrides)
        case, _ = do_register_case(NewCase(**values), acting_user=by)
        return case

    return make


# --- Browser tests (Debian's chromium, headless) ----------------------------------------------
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
# `pytestmark = BROWSER_TESTS` in a module of browser tests: skipped where chromium is absent;
# the live server needs committed rows, and restoring the serialized database afterwards keeps
# the organisation and catalogues for the tests that follow.
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="Debian's chromium and chromium-driver are not installed",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless chromium set to Spanish, as the institute's browsers are."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or "chromium"
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1400,1000",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "es-SV,es"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER or "chromedriver"), options=options)
    driver.implicitly_wait(5)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    """Poll until `predicate()` holds. An element htmx replaced between finding it and reading
    it (stale) or has not put in the page yet is a "not yet", not a failure."""
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        WebDriverException,
    )

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (StaleElementReferenceException, NoSuchElementException):
            pass
        except WebDriverException as error:
            # Chromium's way of saying "stale" while a new document replaces the old one.
            if "does not belong to the document" not in str(error):
                raise
        time.sleep(0.1)
    raise AssertionError("timed out")
