"""In a real browser (Debian's headless chromium): the resolution section works a case that came
by WhatsApp to classify from its page alone, keyboard first: classifies it, gives it to a
person, answers with a template and a file, closes it. Every step is at most three Tab stops
from the message box's text field (the steps are one list of tabs the arrow keys move along),
and axe-core finds no accessibility violation on the page in any of its states."""

import pytest
from django.urls import reverse

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.accounts.tests.test_browser import PASSWORD, log_in
from enlace.cases.actions import Citizen, NewCase, do_register_case
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import AnswerTemplate, Case, CaseFile, EventKind
from enlace.catalogues.models import Channel
from enlace.directory.models import Dependency

pytestmark = BROWSER_TESTS
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
MAX_TAB_STOPS = 3


@pytest.fixture
def office(settings, tmp_path):
    """A case to classify from WhatsApp, the resolution section's Rosa, the hospital's Bruno
    and an answer template; Rosa logged in on the case's page."""
    settings.MEDIA_ROOT = tmp_path
    settings.SECOND_FACTOR_ROLES = []
    User.objects.create_user(username="rosa", password=PASSWORD, role=Role.RESOLUTION)
    User.objects.create_user(
        username="bruno",
        password=PASSWORD,
        role=Role.LIAISON,
        dependency=Dependency.objects.get(code="HG"),
        first_name="Bruno",
    )
    AnswerTemplate.objects.create(
        name="Disculpa por el trato",
        body="Estimado(a) {nombre}: sobre su caso {codigo}, hablamos con el personal.",
    )
    case, _created = do_register_case(
        NewCase(
            kind="opinion",
            channel=Channel.objects.get(code="whatsapp"),
            description="Me trataron mal en la farmacia",
            citizen=Citizen(name="Ana", phone="+50371234567"),
            to_classify=True,
        ),
        acting_user=None,
    )
    return case


def open_case(browser, live_server, case):
    log_in(browser, live_server.url, "rosa")
    browser.get(live_server.url + reverse("cases:detail", args=[case.pk]))
    ready(browser)


def ready(browser):
    """The page is in and its box of steps set up (after a boosted post too)."""
    wait_for(
        lambda: browser.execute_script(
            "const box = document.querySelector('[data-step-box]');"
            "return document.readyState === 'complete' && !!box && box.dataset.ready === '1';"
        )
    )


def active(browser, attribute):
    return browser.execute_script(
        "return document.activeElement && document.activeElement.getAttribute(arguments[0]);",
        attribute,
    )


def tabs(browser):
    """Every step's tab, in order (the rare ones too, shown or not)."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('[role=tablist] [role=tab]'))"
        ".map(tab => tab.dataset.tab);"
    )


def stops_to_tablist(browser, field_id):
    """Shift+Tab from the field until the list of tabs has the focus: how many stops."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.execute_script("document.getElementById(arguments[0]).focus();", field_id)
    assert active(browser, "id") == field_id
    for stops in range(1, 10):
        ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        if active(browser, "role") == "tab":
            return stops
    raise AssertionError(f"no tab reached from {field_id}")


def arrow_to(browser, slug):
    """From the focused tab, the right arrow until `slug`'s tab has the focus and is shown."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _press in range(len(tabs(browser)) + 1):
        if active(browser, "data-tab") == slug:
            break
        ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    assert active(browser, "data-tab") == slug, slug
    assert active(browser, "aria-selected") == "true"
    assert browser.execute_script(
        "return !document.getElementById(document.activeElement.getAttribute('aria-controls'))"
        ".hidden;"
    )


def check_every_step_is_near(browser, slug, field_id):
    """Writing in `slug`'s text field `field_id`, each step's tab is at most MAX_TAB_STOPS Tab
    stops away (then the arrow keys, within the one list of tabs)."""
    steps = [other for other in tabs(browser) if other != "mas"]
    assert steps
    for other in steps:
        go_to_tab(browser, slug)
        stops = stops_to_tablist(browser, field_id)
        assert stops <= MAX_TAB_STOPS, (field_id, other, stops)
        arrow_to(browser, other)
    return steps


def go_to_tab(browser, slug):
    """Open a step's tab with the keyboard: the list's one Tab stop, then the arrows."""
    browser.execute_script("document.querySelector('[role=tab][aria-selected=true]').focus();")
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(browser).send_keys(Keys.HOME).perform()
    arrow_to(browser, slug)


def submitted(browser, case, check):
    wait_for(lambda: check(Case.objects.get(pk=case.pk)))
    # The row is written before its answer reaches the page: wait for htmx to have swapped it
    # in (no request in flight), or the page read next is the one before.
    wait_for(lambda: browser.execute_script("return !document.querySelector('.htmx-request');"))
    ready(browser)
    wait_for(lambda: browser.find_elements("css selector", ".messages .msg"))


def test_a_case_from_whatsapp_is_worked_from_its_page_keyboard_first(live_server, browser, office):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    case = office
    open_case(browser, live_server, case)
    # What is written comes first, the internal note shown; the next step (say what it is)
    # right after; the rare steps after "More", hidden until it is chosen.
    assert tabs(browser)[:3] == ["responder", "comentar", "triaje"]
    assert active(browser, "role") != "tab"  # the page takes no focus by itself
    selected = browser.find_element(By.CSS_SELECTOR, "[role=tab][aria-selected=true]")
    assert selected.get_attribute("data-tab") == "comentar"
    assert selected.get_attribute("tabindex") == "0"
    rare = browser.find_element(By.CSS_SELECTOR, "[role=tab][data-tab=anular]")
    assert not rare.is_displayed()
    # From the note's text field: one Tab stop back to the list of tabs, for any step.
    assert stops_to_tablist(browser, "id_comentar_body") == 1
    steps = check_every_step_is_near(browser, "comentar", "id_comentar_body")
    assert {"triaje", "responsable", "responder", "esperar", "anular", "fusionar"} <= set(steps)
    # From the reply's text field (the template choice is on the way): two.
    go_to_tab(browser, "responder")
    assert stops_to_tablist(browser, "id_responder_answer") == 2
    check_every_step_is_near(browser, "responder", "id_responder_answer")

    # 1. Say what it is: a complaint about the Hospital General.
    go_to_tab(browser, "triaje")
    panel = browser.find_element(By.ID, "paso-triaje")
    panel.find_element(By.CSS_SELECTOR, "input[name=kind][value=opinion]").click()
    Select(panel.find_element(By.NAME, "opinion_type")).select_by_value("queja")
    panel.find_element(By.NAME, "dependency").send_keys("Hospital General [HG]")
    panel.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    submitted(browser, case, lambda c: not c.to_classify)
    case.refresh_from_db()
    assert (case.opinion_type.code, case.dependency.code) == ("queja", "HG")

    # 2. Give it to Bruno, of the hospital.
    go_to_tab(browser, "responsable")
    panel = browser.find_element(By.ID, "paso-responsable")
    Select(panel.find_element(By.NAME, "owner")).select_by_value("bruno")
    panel.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    submitted(browser, case, lambda c: c.owner_id is not None)
    wait_for(lambda: browser.find_element(By.ID, "case-owner").text == "Bruno")

    # 3. Answer with the template, its placeholders filled, and a file; Ctrl+Enter sends it.
    go_to_tab(browser, "responder")
    panel = browser.find_element(By.ID, "paso-responder")
    Select(panel.find_element(By.NAME, "template")).select_by_visible_text("Disculpa por el trato")
    answer = panel.find_element(By.NAME, "answer")
    wait_for(lambda: case.display_code in answer.get_attribute("value"))
    assert answer.get_attribute("value").startswith("Estimado(a) Ana: sobre su caso")
    panel.find_element(By.CSS_SELECTOR, "input[type=file][name=files]").send_keys(a_file())
    answer.send_keys(" Gracias por avisarnos.", Keys.CONTROL, Keys.ENTER)
    submitted(browser, case, lambda c: c.status == CaseStatus.ANSWERED)
    stored = CaseFile.objects.get(case=case)
    assert (stored.name, stored.content_type, stored.event.kind) == (
        "constancia.pdf",
        "application/pdf",
        EventKind.ANSWERED,
    )
    assert case.events.get(kind=EventKind.ANSWERED).note.endswith("Gracias por avisarnos.")
    links = browser.find_elements(By.CSS_SELECTOR, f"a[href$='/archivos/{stored.pk}/']")
    assert len(links) == 2  # under the answer, and in the side panel
    # The next step now: close; still one Tab stop from the note.
    assert (
        browser.find_element(By.CSS_SELECTOR, "[role=tab].next").get_attribute("data-tab")
        == "cerrar"
    )
    check_every_step_is_near(browser, "comentar", "id_comentar_body")

    # 4. Close it: the citizen accepted the answer.
    go_to_tab(browser, "cerrar")
    panel = browser.find_element(By.ID, "paso-cerrar")
    panel.find_element(By.CSS_SELECTOR, "input[name=accepted][value=yes]").click()
    panel.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    submitted(browser, case, lambda c: c.status == CaseStatus.CLOSED)
    case.refresh_from_db()
    assert case.citizen_accepted is True
    assert "/casos/" in browser.current_url


def a_file():
    """A PDF on the disk, where a person picks it from."""
    from django.conf import settings

    path = settings.MEDIA_ROOT / "escritorio" / "constancia.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    return str(path)


def test_axe_finds_no_violation_on_the_case_page(live_server, browser, office):
    from selenium.webdriver.common.by import By

    from enlace.portal.tests.test_browser import AXE_JS, axe_violations

    if not AXE_JS.exists():
        pytest.skip(f"axe-core is not installed ({AXE_JS})")
    case = office
    open_case(browser, live_server, case)
    pages = {"to classify": axe_violations(browser)}
    go_to_tab(browser, "mas")
    pages["the rare steps shown"] = axe_violations(browser)
    # A step sent with a mistake (a reason of blanks) comes back on its tab, among the rare
    # ones, the error said and its field focused.
    go_to_tab(browser, "anular")
    browser.find_element(By.ID, "id_anular_reason").send_keys("   ")
    browser.find_element(By.CSS_SELECTOR, "#paso-anular button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#paso-anular .error"))
    ready(browser)
    assert active(browser, "id") == "id_anular_reason"
    assert browser.find_element(By.ID, "tab-anular").get_attribute("aria-selected") == "true"
    assert browser.find_element(By.ID, "tab-mas").get_attribute("aria-expanded") == "true"
    pages["a step with errors"] = axe_violations(browser)
    # Answered with a file: the file under the answer and in the side panel.
    go_to_tab(browser, "responder")
    panel = browser.find_element(By.ID, "paso-responder")
    panel.find_element(By.NAME, "answer").send_keys("Hablamos con el personal de farmacia.")
    panel.find_element(By.NAME, "files").send_keys(a_file())
    panel.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    submitted(browser, case, lambda c: c.status == CaseStatus.ANSWERED)
    pages["answered with a file"] = axe_violations(browser)
    assert {name: found for name, found in pages.items() if found} == {}
