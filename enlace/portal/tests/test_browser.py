"""In a real browser (Debian's headless chromium): a citizen writes on the portal, gets the
code, follows the case with the email given, reads the answer and rates it; and axe-core finds
no accessibility violation on any portal page.

axe-core is not fetched at run time: it is installed from the npm registry into the gitignored
node_modules/ (`npm install --no-save --no-package-lock axe-core@4.14.1`), or found where
AXE_CORE_JS points. Without it, the accessibility test is skipped and says why."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.cases.actions import (
    do_acknowledge_case,
    do_answer_case,
    do_assign_case,
    do_propose_answer,
    do_wait_for_citizen,
)
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case, EventKind
from enlace.directory.models import Dependency
from enlace.portal.models import SatisfactionRating

AXE_JS = Path(
    os.environ.get("AXE_CORE_JS")
    or Path(django_settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
)
ANSWER = "Reforzamos el personal de emergencia. Gracias por avisarnos."

pytestmark = BROWSER_TESTS


@pytest.fixture(autouse=True)
def _no_rate_limits_left():
    cache.clear()
    yield
    cache.clear()


def staff_answers(case):
    resolution = User.objects.create_user(username="rosa", password="x", role=Role.RESOLUTION)
    hospital = Dependency.objects.get(code="HG")
    liaison = User.objects.create_user(
        username="bruno", password="x", role=Role.LIAISON, dependency=hospital
    )
    do_acknowledge_case(case, acting_user=resolution)
    do_assign_case(case, hospital, acting_user=resolution)
    do_propose_answer(case, ANSWER, acting_user=liaison)
    do_answer_case(case, ANSWER, acting_user=resolution)


def submit_complaint(browser, base_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(base_url + "/")
    browser.find_element(By.CSS_SELECTOR, "label[for=id_what_1]").click()  # Queja
    Select(browser.find_element(By.NAME, "dependency")).select_by_value("HG")
    browser.find_element(By.NAME, "description").send_keys("Esperé cinco horas en emergencia.")
    browser.find_element(By.NAME, "name").send_keys("Marta Pérez")
    browser.find_element(By.NAME, "email").send_keys("marta@example.com")
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "tracking-code"))
    return browser.find_element(By.ID, "tracking-code").text


def track(browser, base_url, code, factor):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(base_url + "/seguimiento/")
    browser.find_element(By.NAME, "code").send_keys(code)
    browser.find_element(By.NAME, "factor").send_keys(factor, Keys.ENTER)
    wait_for(lambda: browser.find_elements(By.ID, "case-status"))


def test_a_citizen_writes_follows_the_answer_and_rates_it(live_server, browser):
    from selenium.webdriver.common.by import By

    code = submit_complaint(browser, live_server.url)
    case = Case.objects.get()
    assert code == case.display_code
    assert browser.find_element(By.ID, "receipt-channel").text == "Sitio web"
    assert case.citizen_email == "marta@example.com"
    # The receipt is a page of its own: reloading it sends nothing again.
    assert browser.current_url == live_server.url + "/recibo/"
    browser.refresh()
    wait_for(lambda: browser.find_elements(By.ID, "tracking-code"))
    assert browser.find_element(By.ID, "tracking-code").text == code
    assert Case.objects.count() == 1

    staff_answers(case)
    track(browser, live_server.url, code.lower(), "marta@example.com")
    assert ANSWER in browser.find_element(By.ID, "case-answer").text
    browser.find_element(By.CSS_SELECTOR, "label[for=id_rating_1]").click()  # Buena
    browser.find_element(By.NAME, "comment").send_keys("Me respondieron a tiempo.")
    browser.find_element(By.CSS_SELECTOR, "#rate-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "rated"))
    rating = SatisfactionRating.objects.get(case=case)
    assert (rating.rating, rating.comment) == ("good", "Me respondieron a tiempo.")


def test_the_topic_shows_for_an_inquiry_and_the_contact_hides_when_anonymous(live_server, browser):
    from selenium.webdriver.common.by import By

    browser.get(live_server.url + "/")
    topic = browser.find_element(By.ID, "field-topic")
    assert not topic.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "input[name=what][value=consulta] + label").click()
    assert topic.is_displayed()
    browser.find_element(By.NAME, "anonymous").click()
    assert not browser.find_element(By.ID, "identity").is_displayed()
    # A form sent with errors puts the focus on the summary, whose links lead to the fields.
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "error-summary"))
    assert browser.switch_to.active_element.get_attribute("id") == "error-summary"


def axe_violations(browser):
    browser.execute_script(AXE_JS.read_text(encoding="utf-8"))
    return browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values:
            ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
          .then(result => done(result.violations.map(
            v => v.id + ": " + v.help + " " + v.nodes.map(n => n.target.join(" ")).join(", "))))
          .catch(error => done(["axe failed: " + error]));
        """
    )


@pytest.mark.skipif(
    not AXE_JS.exists(),
    reason=f"axe-core is not installed ({AXE_JS}): "
    "npm install --no-save --no-package-lock axe-core@4.14.1",
)
def test_axe_finds_no_violation_on_the_portal_pages(live_server, browser, settings):
    from selenium.webdriver.common.by import By

    pages = {}
    browser.get(live_server.url + "/")
    pages["home"] = axe_violations(browser)
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "error-summary"))
    pages["home with errors"] = axe_violations(browser)
    code = submit_complaint(browser, live_server.url)
    pages["receipt"] = axe_violations(browser)
    browser.get(live_server.url + "/seguimiento/")
    pages["tracking form"] = axe_violations(browser)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "id_factor_error"))
    pages["tracking with empty fields"] = axe_violations(browser)
    browser.find_element(By.NAME, "code").send_keys("ACDEF-HJKLM")
    browser.find_element(By.NAME, "factor").send_keys("nadie@example.com")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "not-found"))
    pages["tracking not found"] = axe_violations(browser)
    staff_answers(Case.objects.get())
    track(browser, live_server.url, code, "marta@example.com")
    pages["tracking with the answer"] = axe_violations(browser)
    browser.find_element(By.CSS_SELECTOR, "label[for=id_rating_0]").click()
    browser.find_element(By.CSS_SELECTOR, "#rate-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "rated"))
    pages["rating thanks"] = axe_violations(browser)
    settings.PORTAL_RATE_LIMITS = {"track": (0, 600)}
    browser.get(live_server.url + "/seguimiento/")
    browser.find_element(By.NAME, "code").send_keys(code)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "too-many"))
    pages["too many requests"] = axe_violations(browser)
    assert {page: found for page, found in pages.items() if found} == {}


def test_a_citizen_replies_to_a_case_waiting_for_them(live_server, browser):
    from selenium.webdriver.common.by import By

    code = submit_complaint(browser, live_server.url)
    case = Case.objects.get()
    resolution = User.objects.create_user(username="rosa", password="x", role=Role.RESOLUTION)
    do_wait_for_citizen(case, "Falta la fecha de la consulta", acting_user=resolution)
    track(browser, live_server.url, code, "marta@example.com")
    pages = {"tracking with the reply form": axe_violations(browser) if AXE_JS.exists() else []}
    browser.find_element(By.CSS_SELECTOR, "#reply-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "id_text_error"))
    assert browser.switch_to.active_element.get_attribute("id") == "error-summary"
    pages["reply with errors"] = axe_violations(browser) if AXE_JS.exists() else []
    browser.find_element(By.NAME, "text").send_keys("Fue el 3 de marzo, a las 8 de la mañana.")
    browser.find_element(By.CSS_SELECTOR, "#reply-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "reply-received"))
    assert browser.current_url == live_server.url + "/seguimiento/"
    pages["reply received"] = axe_violations(browser) if AXE_JS.exists() else []
    case.refresh_from_db()
    assert case.status != CaseStatus.WAITING_CITIZEN
    assert case.events.filter(kind=EventKind.CITIZEN_MESSAGE).count() == 1
    assert {page: found for page, found in pages.items() if found} == {}
