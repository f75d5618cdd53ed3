"""In a real browser (Debian's headless chromium): twenty cases of the list given to a person at
once (twenty history rows), a view of the list saved and opened again, the work queue's tabs,
the list's keyboard shortcuts; axe-core finds nothing on the list and the queue."""

import pytest
from django.urls import reverse

from conftest import BROWSER_TESTS, make_user, wait_for
from enlace.accounts.models import Role
from enlace.accounts.tests.test_browser import log_in
from enlace.cases.models import Case, CaseEvent, EventKind, SavedView
from enlace.portal.tests.test_browser import AXE_JS, axe_violations

pytestmark = BROWSER_TESTS


@pytest.fixture
def people(db):
    return {
        "rosa": make_user("rosa", Role.RESOLUTION, first_name="Rosa"),
        "bruno": make_user("bruno", Role.LIAISON, "HG", first_name="Bruno"),
    }


def test_twenty_cases_given_at_once_then_a_saved_view(live_server, browser, make_case, people):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    cases = [make_case(centre="HG") for _ in range(22)]
    log_in(browser, live_server.url, "rosa")
    wait_for(lambda: reverse("cases:queue") in browser.current_url)  # her own start page
    browser.get(f"{live_server.url}{reverse('cases:list')}?status=open")
    boxes = browser.find_elements(By.CSS_SELECTOR, "#results input[name=ids]")
    assert len(boxes) == 22
    for box in boxes[:20]:
        box.click()
    Select(browser.find_element(By.ID, "id_step")).select_by_value("responsable")
    Select(browser.find_element(By.ID, "id_owner")).select_by_value("bruno")
    browser.find_element(By.XPATH, "//button[normalize-space()='Aplicar a la selección']").click()
    wait_for(lambda: "20 casos hechos." in browser.page_source)
    assert Case.objects.filter(owner=people["bruno"]).count() == 20
    assert CaseEvent.objects.filter(kind=EventKind.OWNER_SET).count() == 20
    assert "status=open" in browser.current_url  # back to the list as it was

    # Saved under a name, then opened again from the list without filters.
    browser.find_element(By.CSS_SELECTOR, "details.save-view summary").click()
    browser.find_element(By.ID, "view-name").send_keys("Abiertos del HG")
    browser.find_element(By.CSS_SELECTOR, "details.save-view button[type=submit]").click()
    wait_for(lambda: SavedView.objects.filter(name="Abiertos del HG").exists())
    browser.get(live_server.url + reverse("cases:list"))
    browser.find_element(By.LINK_TEXT, "Abiertos del HG").click()
    wait_for(lambda: "status=open" in browser.current_url)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#results input[name=ids]")) == len(cases)

    # The liaison finds the twenty in their own queue.
    browser.delete_all_cookies()
    log_in(browser, live_server.url, "bruno")
    wait_for(lambda: reverse("cases:queue") in browser.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    assert len(rows) == 20


def test_the_keyboard_moves_through_the_list_and_lists_its_shortcuts(
    live_server, browser, make_case, people
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    newest = make_case(centre="HG")
    older = make_case(centre="HG")
    Case.objects.filter(pk=older.pk).update(received_at=newest.received_at.replace(year=2025))
    log_in(browser, live_server.url, "rosa")
    browser.get(live_server.url + reverse("cases:list"))
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("?")
    wait_for(lambda: browser.find_element(By.ID, "shortcuts").get_attribute("open") is not None)
    browser.find_element(By.CSS_SELECTOR, "#shortcuts button").click()
    body.send_keys("j")
    body.send_keys("j")
    active = browser.switch_to.active_element
    assert active.text == older.display_code
    active.send_keys("x")
    assert browser.find_elements(By.CSS_SELECTOR, "#results input[name=ids]")[1].is_selected()
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(lambda: reverse("cases:detail", args=[older.pk]) in browser.current_url)


@pytest.mark.skipif(not AXE_JS.exists(), reason=f"axe-core is not installed ({AXE_JS})")
def test_axe_finds_nothing_on_the_list_and_the_queue(live_server, browser, make_case, people):
    from selenium.webdriver.common.by import By

    for _ in range(3):
        make_case(centre="HG")
    log_in(browser, live_server.url, "rosa")
    pages = {}
    for name, path in (
        ("list", f"{reverse('cases:list')}?status=open&kind=opinion"),
        ("list by due date", f"{reverse('cases:list')}?orden=vence"),
        ("queue, mine", reverse("cases:queue")),
        ("queue, team", f"{reverse('cases:queue')}?vista=equipo"),
    ):
        browser.get(live_server.url + path)
        wait_for(lambda: browser.find_elements(By.TAG_NAME, "h1"))
        pages[name] = axe_violations(browser)
    assert pages == {name: [] for name in pages}
