"""In a real browser (Debian's headless chromium), the centre's side of a case: a liaison's
proposal whose internal improvement action never reaches the citizen; an aviso de denuncia
its centre does not see until the resolution section has triaged it; the bell that tells a
liaison an internal note mentioned them."""

import pytest
from django.urls import reverse

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.accounts.tests.test_browser import PASSWORD, log_in
from enlace.cases import actions
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case
from enlace.cases.tests.test_case_page_browser import go_to_tab, ready, submitted
from enlace.directory.models import Dependency
from enlace.notifications.models import Notification, NotificationKind
from enlace.portal.tests.test_browser import AXE_JS, axe_violations

pytestmark = BROWSER_TESTS
INTERNAL = "Revisar el inventario de insulina de la farmacia cada lunes"


@pytest.fixture
def office(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SECOND_FACTOR_ROLES = []
    hg = Dependency.objects.get(code="HG")
    return {
        "rosa": User.objects.create_user(
            username="rosa", password=PASSWORD, role=Role.RESOLUTION, first_name="Rosa"
        ),
        "bruno": User.objects.create_user(
            username="bruno",
            password=PASSWORD,
            role=Role.LIAISON,
            dependency=hg,
            first_name="Bruno",
            email="bruno@hospital.example",
        ),
        "alicia": User.objects.create_user(username="alicia", password=PASSWORD, role=Role.AGENT),
    }


def open_case(browser, live_server, username, case):
    browser.delete_all_cookies()
    log_in(browser, live_server.url, username)
    browser.get(live_server.url + reverse("cases:detail", args=[case.pk]))
    ready(browser)


def test_the_internal_improvement_action_never_reaches_the_citizen(
    live_server, browser, office, make_case
):
    from selenium.webdriver.common.by import By

    case = make_case(by=office["alicia"], citizen={"name": "Ana", "email": "ana@correo.example"})
    actions.do_assign_case(case, case.dependency, acting_user=office["rosa"])

    # The hospital's liaison proposes: the answer for the citizen, and the action inside.
    open_case(browser, live_server, "bruno", case)
    go_to_tab(browser, "proponer")
    panel = browser.find_element(By.ID, "paso-proponer")
    panel.find_element(By.NAME, "answer").send_keys("Su medicamento estará disponible el lunes.")
    panel.find_element(By.NAME, "improvement_action").send_keys(INTERNAL)
    panel.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    submitted(browser, case, lambda c: c.status == CaseStatus.ANSWER_PROPOSED)

    # The resolution section sends the proposal: the text it starts from is the answer only.
    open_case(browser, live_server, "rosa", case)
    assert INTERNAL in browser.page_source  # staff read it, as the centre's action
    go_to_tab(browser, "responder")
    answer = browser.find_element(By.ID, "paso-responder").find_element(By.NAME, "answer")
    assert answer.get_attribute("value") == "Su medicamento estará disponible el lunes."
    answer.submit()
    submitted(browser, case, lambda c: c.status == CaseStatus.ANSWERED)

    # Nothing the citizen receives or can read holds the internal action.
    case = Case.objects.get(pk=case.pk)
    assert INTERNAL not in case.answer
    sent = Notification.objects.get(case=case, kind=NotificationKind.ANSWER)
    assert "Su medicamento estará disponible el lunes." in sent.body
    assert INTERNAL not in sent.body
    browser.delete_all_cookies()
    browser.get(live_server.url + reverse("portal:track"))
    browser.find_element(By.NAME, "code").send_keys(case.display_code)
    browser.find_element(By.NAME, "factor").send_keys("ana@correo.example")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: "Su medicamento estará disponible el lunes." in browser.page_source)
    assert INTERNAL not in browser.page_source


def test_an_aviso_de_denuncia_is_hidden_from_its_centre_until_triaged(
    live_server, browser, office, make_case
):
    from selenium.webdriver.common.by import By

    denuncia = make_case(by=office["alicia"], type="denuncia")
    # The centre it concerns neither finds it in its list nor opens it.
    browser.delete_all_cookies()
    log_in(browser, live_server.url, "bruno")
    browser.get(live_server.url + reverse("cases:list"))
    wait_for(lambda: browser.find_elements(By.TAG_NAME, "h1"))
    assert denuncia.display_code not in browser.page_source
    browser.get(live_server.url + reverse("cases:detail", args=[denuncia.pk]))
    wait_for(lambda: browser.find_elements(By.TAG_NAME, "h1"))
    assert "No encontrado" in browser.title or "no existe" in browser.page_source.lower()
    assert denuncia.description not in browser.page_source

    # Triaged by the resolution section (routed to the centre): now the liaison sees it.
    open_case(browser, live_server, "rosa", denuncia)
    go_to_tab(browser, "asignar")
    panel = browser.find_element(By.ID, "paso-asignar")
    field = panel.find_element(By.NAME, "dependency")
    field.clear()
    field.send_keys("Hospital General [HG]")
    panel.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    submitted(browser, denuncia, lambda c: c.status == CaseStatus.ASSIGNED)
    open_case(browser, live_server, "bruno", denuncia)
    assert denuncia.display_code in browser.page_source


def test_a_mention_in_an_internal_note_rings_the_liaisons_bell(
    live_server, browser, office, make_case
):
    from selenium.webdriver.common.by import By

    case = make_case(by=office["alicia"])
    open_case(browser, live_server, "rosa", case)
    go_to_tab(browser, "comentar")
    note = browser.find_element(By.ID, "paso-comentar").find_element(By.NAME, "body")
    note.send_keys("@bruno ¿pueden revisar la farmacia hoy?")
    note.submit()
    # The page's answer, not only the row: a response still in flight after the cookies are
    # deleted would set a new CSRF cookie under the login form read next.
    submitted(browser, case, lambda c: c.events.filter(kind="commented").exists())

    browser.delete_all_cookies()
    log_in(browser, live_server.url, "bruno")
    wait_for(lambda: browser.find_elements(By.ID, "alert-bell"))
    bell = browser.find_element(By.ID, "alert-bell")
    assert bell.text.endswith("Avisos, 1 sin leer")
    bell.click()
    wait_for(lambda: reverse("notifications:inbox") in browser.current_url)
    assert case.display_code in browser.page_source
    if AXE_JS.exists():
        assert axe_violations(browser) == []
    browser.find_element(By.PARTIAL_LINK_TEXT, case.display_code).click()
    wait_for(lambda: reverse("cases:detail", args=[case.pk]) in browser.current_url)
    assert browser.find_element(By.ID, "alert-bell").text.endswith("Avisos")
