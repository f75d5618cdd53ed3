"""In a real browser (Debian's headless chromium), keyboard only: an agent logs in, logs an
inquiry and an opinion, and finds them in the filtered list."""

import time

from django.urls import reverse

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.cases.models import Case

pytestmark = BROWSER_TESTS


def test_an_agent_registers_cases_with_the_keyboard_and_finds_them(live_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    User.objects.create_user(username="alicia", password="secreto-de-prueba", role=Role.AGENT)
    browser.get(live_server.url + reverse("accounts:login"))
    assert "Iniciar sesión" in browser.page_source
    browser.find_element(By.NAME, "username").send_keys("alicia")
    browser.find_element(By.NAME, "password").send_keys("secreto-de-prueba", Keys.ENTER)
    wait_for(lambda: "/casos/" in browser.current_url)

    # An inquiry answered on the phone: the form starts on the caller's name, then the kind
    # (inquiry chosen).
    browser.get(live_server.url + reverse("cases:new"))
    active = browser.switch_to.active_element
    assert active.get_attribute("name") == "citizen_name"
    active.send_keys("Marta López", Keys.TAB)
    active = browser.switch_to.active_element
    assert active.get_attribute("name") == "kind"
    assert active.get_attribute("value") == "consulta"
    started = time.monotonic()
    browser.find_element(By.NAME, "topic").send_keys("Horarios de atención")
    browser.find_element(By.NAME, "description").send_keys("¿A qué hora abre la farmacia?")
    browser.find_element(By.NAME, "answer").send_keys("De 7 a 19 horas.", Keys.CONTROL, Keys.ENTER)
    wait_for(lambda: "registered=" in browser.current_url)
    assert "registrada y cerrada" in browser.page_source
    inquiry = Case.objects.get(kind="consulta")
    assert inquiry.status == "closed"

    # An opinion about a named centre, keyboard only: the next caller's name, then the arrow
    # key switches the kind; the centre of the last call is not kept.
    assert browser.find_element(By.NAME, "dependency").get_attribute("value") == ""
    browser.switch_to.active_element.send_keys("Pedro Ruiz", Keys.TAB)
    browser.switch_to.active_element.send_keys(Keys.ARROW_LEFT)
    assert "required" in browser.find_element(By.NAME, "dependency").find_element(
        By.XPATH, ".."
    ).get_attribute("class")
    assert browser.find_element(By.NAME, "topic").is_displayed() is False
    opinion_type = browser.find_element(By.NAME, "opinion_type")
    opinion_type.send_keys("Queja")
    browser.find_element(By.NAME, "dependency").send_keys("Hospital General [HG]")
    browser.find_element(By.NAME, "limitante").send_keys("Tiempo de espera prolongado")
    browser.find_element(By.NAME, "description").send_keys("Esperé cinco horas en emergencia.")
    browser.find_element(By.NAME, "citizen_phone").send_keys("7123-4567", Keys.CONTROL, Keys.ENTER)
    wait_for(lambda: Case.objects.filter(kind="opinion").exists())
    elapsed = time.monotonic() - started
    opinion = Case.objects.get(kind="opinion")
    assert (opinion.opinion_type.code, opinion.dependency.code) == ("queja", "HG")
    assert opinion.citizen_phone == "+50371234567"
    assert (inquiry.citizen_name, opinion.citizen_name) == ("Marta López", "Pedro Ruiz")
    wait_for(lambda: opinion.display_code in browser.page_source)
    # Two cases logged by a robot typist well within the ten seconds a person has for one.
    assert elapsed < 10

    # Both are in the list, and the filter narrows it to the opinion.
    browser.get(live_server.url + reverse("cases:list"))
    assert inquiry.display_code in browser.page_source
    assert opinion.display_code in browser.page_source
    search = browser.find_element(By.NAME, "q")
    search.send_keys("emergencia")
    wait_for(lambda: inquiry.display_code not in browser.page_source)
    assert opinion.display_code in browser.page_source
    assert "q=emergencia" in browser.current_url
