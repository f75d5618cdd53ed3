"""In a real browser on a phone-sized window (360 x 740, Debian's headless chromium): a
citizen opens an invitation's link, the follow-up question appears and disappears as they
answer, an error brings the focus to its question, and the answers are stored; axe-core finds
no accessibility violation on the questionnaire, with errors, or on the thank-you page.

Screenshots go to SURVEY_SCREENSHOTS (a folder) when it is set, to look at the layout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.directory.models import Dependency
from enlace.portal.tests.test_browser import AXE_JS, axe_violations
from enlace.surveys.actions.invitations import do_invite
from enlace.surveys.models import InvitationChannel, Response
from enlace.surveys.tests import factories

pytestmark = BROWSER_TESTS
SHOTS = os.environ.get("SURVEY_SCREENSHOTS", "")


@pytest.fixture(autouse=True)
def _no_rate_limits_left():
    cache.clear()
    yield
    cache.clear()


def shot(browser, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        height = browser.execute_script("return document.body.scrollHeight")
        browser.set_window_size(360, max(740, height))
        browser.save_screenshot(str(Path(SHOTS) / f"{name}.png"))
        browser.set_window_size(360, 740)


@pytest.mark.skipif(
    not AXE_JS.exists(),
    reason=f"axe-core is not installed ({AXE_JS}): "
    "npm install --no-save --no-package-lock axe-core@4.14.1",
)
def test_a_citizen_answers_by_invitation_on_a_phone_and_axe_finds_nothing(live_server, browser):
    from selenium.webdriver.common.by import By

    rosa = User.objects.create_user(username="rosa", password="x", role=Role.RESOLUTION)
    study = factories.study(rosa, factories.questionnaire(rosa), [("HG", 10)])
    invited = do_invite(
        study,
        Dependency.objects.get(code="HG"),
        channel=InvitationChannel.EMAIL,
        address="marta@example.com",
    )
    assert invited is not None
    _invitation, token = invited
    browser.set_window_size(360, 740)
    browser.get(f"{live_server.url}/encuesta/i/{token}/")
    pages = {"questionnaire": axe_violations(browser)}
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, "the page scrolls sideways on a phone"

    follow_up = browser.find_element(By.ID, "q-por-que")
    assert not follow_up.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "label[for=id-resuelto-1]").click()  # No
    wait_for(follow_up.is_displayed)
    pages["questionnaire with the follow-up"] = axe_violations(browser)
    shot(browser, "questionnaire")
    browser.find_element(By.CSS_SELECTOR, "label[for=id-resuelto-0]").click()  # Yes
    wait_for(lambda: not follow_up.is_displayed())
    browser.find_element(By.CSS_SELECTOR, "label[for=id-resuelto-1]").click()  # No again
    wait_for(follow_up.is_displayed)

    # Sent without the required scale and the follow-up: errors, focus on the first.
    browser.find_element(By.NAME, "comentario").send_keys("Faltó medicina")
    browser.find_element(By.CSS_SELECTOR, "#survey-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "error-summary"))
    assert browser.switch_to.active_element.get_attribute("id") == "id-trato-0"
    assert browser.find_element(By.NAME, "comentario").get_attribute("value") == "Faltó medicina"
    assert browser.find_element(By.ID, "q-por-que").is_displayed()  # "no" is still chosen
    pages["questionnaire with errors"] = axe_violations(browser)
    shot(browser, "errors")

    browser.find_element(By.CSS_SELECTOR, "label[for=id-trato-3]").click()  # 4
    browser.find_element(By.CSS_SELECTOR, "label[for=id-recomienda-9]").click()  # 9
    browser.find_element(By.CSS_SELECTOR, "label[for=id-experiencia-1]").click()  # good
    browser.find_element(By.CSS_SELECTOR, "label[for=id-por-que-1]").click()  # cita
    browser.find_element(By.CSS_SELECTOR, "#survey-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "survey-thanks"))
    pages["thanks"] = axe_violations(browser)
    shot(browser, "thanks")

    response = Response.objects.get()
    answers = dict(response.answers.values_list("question__code", "choice"))
    assert answers["experiencia"] == "good"
    assert answers["por-que"] == "cita"
    browser.get(f"{live_server.url}/encuesta/i/{token}/")
    wait_for(lambda: browser.find_elements(By.ID, "notice-answered"))
    pages["already answered"] = axe_violations(browser)
    assert {page: found for page, found in pages.items() if found} == {}
