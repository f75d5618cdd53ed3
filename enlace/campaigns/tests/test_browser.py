"""In a real browser (Debian's headless chromium): an agent works three contacts with the
keyboard alone (confirmed, rescheduled, no answer) and records a complaint the second person
voiced; the supervisor pauses the campaign and downloads its results.

The calls happen now, on the live server's clock: the test campaign calls every day at every
hour, so only a national holiday (when no campaign calls) would stop it."""

from __future__ import annotations

import io
import urllib.request
from typing import Any

from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.campaigns import actions
from enlace.campaigns.models import Attempt, CampaignStatus, Contact, ContactState
from enlace.campaigns.tests import factories
from enlace.cases.models import Case

pytestmark = BROWSER_TESTS

LIST = """nombre,telefono,prioridad,fecha_cita
Marta Pérez,7123-4567,9,25/11/2026 08:00
José López,2222-3333,5,26/11/2026 10:00
Ana Ruiz,6111-2222,1,27/11/2026 07:00
"""


def log_in(browser: Any, live_server: Any, username: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.delete_all_cookies()
    browser.get(live_server.url + reverse("accounts:login"))
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys("secreto-de-prueba", Keys.ENTER)
    wait_for(lambda: "/cuenta/entrar/" not in browser.current_url)


def test_an_agent_works_three_contacts_by_keyboard_and_the_supervisor_exports(
    live_server: Any, browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    boss = User.objects.create_user(
        username="sofia", password="secreto-de-prueba", role=Role.CALL_SUPERVISOR
    )
    agent = User.objects.create_user(
        username="alicia", password="secreto-de-prueba", role=Role.AGENT
    )
    campaign = factories.campaign(boss)
    factories.import_text(campaign, boss, LIST)
    actions.do_step(campaign, "start", acting_user=boss)

    log_in(browser, live_server, "alicia")
    browser.get(live_server.url + reverse("campaigns:detail", args=[campaign.pk]))
    # "Siguiente llamada" has the focus: Enter takes the first call (the highest priority).
    assert browser.switch_to.active_element.text == "Siguiente llamada"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(lambda: "/campanas/llamada/" in browser.current_url)
    assert "Buen día, Marta Pérez" in browser.page_source

    def outcome(downs: int, *typed: str) -> None:
        """Choose the outcome `downs` places after the first with the arrows, type what follows
        into the next fields, and save with Enter (the next call follows)."""
        here = browser.current_url
        focus = browser.switch_to.active_element
        assert focus.get_attribute("name") == "outcome"
        if downs:
            focus.send_keys(*([Keys.ARROW_DOWN] * downs))
        else:
            focus.send_keys(Keys.SPACE)
        for text in typed:
            browser.switch_to.active_element.send_keys(Keys.TAB, text)
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        wait_for(lambda: browser.current_url != here)

    # Marta confirms.
    outcome(0)
    wait_for(lambda: "Buen día, José López" in browser.page_source)
    # José mentions a complaint: it is registered from the call, then his appointment moves.
    intake = browser.find_element(By.PARTIAL_LINK_TEXT, "Registrar una opinión").get_attribute(
        "href"
    )
    call_page = browser.current_url
    browser.get(intake)
    assert browser.find_element(By.NAME, "citizen_name").get_attribute("value") == "José López"
    browser.switch_to.active_element.send_keys(Keys.ARROW_LEFT)  # an opinion
    browser.find_element(By.NAME, "opinion_type").send_keys("Queja")
    browser.find_element(By.NAME, "dependency").send_keys("Hospital General [HG]")
    browser.find_element(By.NAME, "limitante").send_keys("Trato inadecuado del personal")
    browser.find_element(By.NAME, "description").send_keys(
        "En rayos X lo trataron mal.", Keys.CONTROL, Keys.ENTER
    )
    wait_for(lambda: Case.objects.filter(kind="opinion").exists())
    browser.get(call_page)
    outcome(1, "15/12/2026 08:30")
    wait_for(lambda: "Buen día, Ana Ruiz" in browser.page_source)
    # Ana does not answer: six places down, and Enter.
    outcome(6)
    wait_for(lambda: "No hay nadie por llamar ahora" in browser.page_source)

    states = dict(Contact.objects.values_list("name", "last_outcome"))
    assert states == {
        "Marta Pérez": "confirmed",
        "José López": "rescheduled",
        "Ana Ruiz": "no_answer",
    }
    jose = Contact.objects.get(name="José López")
    assert f"{jose.rescheduled_to:%d/%m/%Y %H:%M}" in ("15/12/2026 08:30", "15/12/2026 14:30")
    complaint = Case.objects.get(kind="opinion")
    assert Attempt.objects.get(contact=jose).case == complaint
    assert Contact.objects.get(name="Ana Ruiz").state == ContactState.TO_CALL

    # The supervisor pauses the campaign and downloads its results.
    log_in(browser, live_server, "sofia")
    browser.get(live_server.url + reverse("campaigns:detail", args=[campaign.pk]))
    browser.find_element(By.CSS_SELECTOR, "button[value=pause]").click()
    wait_for(lambda: "Campaña actualizada" in browser.page_source)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "Resultados (XLSX)").get_attribute("href")
    cookie = browser.get_cookie(settings.SESSION_COOKIE_NAME)
    assert cookie is not None
    session = f"{cookie['name']}={cookie['value']}"
    request = urllib.request.Request(link, headers={"Cookie": session})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (the live server)
        sheet = load_workbook(io.BytesIO(answer.read())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    outcomes = {row[1]: row[rows[0].index("Último resultado")] for row in rows[1:]}
    assert outcomes == {
        "Marta Pérez": "Confirmada",
        "José López": "Reprogramada",
        "Ana Ruiz": "No contesta",
    }
    assert set(Attempt.objects.values_list("agent", flat=True)) == {agent.pk}
