"""In a real browser (Debian's headless chromium): an agent's console pops the caller's history
when the telephone system posts "ringing" for them, and registers a case for the call."""

import json
import urllib.request

from django.urls import reverse
from django.utils import timezone

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.callcentre.models import Call
from enlace.cases.actions import Citizen, NewCase, do_register_case
from enlace.cases.lifecycle import CaseKind
from enlace.catalogues.models import Channel, OpinionType
from enlace.directory.models import Dependency

TOKEN = "secreto-de-la-central"

pytestmark = BROWSER_TESTS


def pbx_posts(live_server, event, **fields):
    body = json.dumps(
        {
            "event": event,
            "call_id": "pbx-77",
            "caller": "+50371234567",
            "agent": "alicia",
            "at": timezone.now().isoformat(),
            **fields,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (the live server, over http)
        live_server.url + reverse("channels:cti"),
        data=body,
        headers={"Content-Type": "application/json", "X-CTI-Token": TOKEN},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200


def test_the_console_pops_the_callers_history_when_the_pbx_rings(live_server, browser, settings):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    settings.CTI_TOKEN = TOKEN
    User.objects.create_user(username="alicia", password="secreto-de-prueba", role=Role.AGENT)
    earlier, _created = do_register_case(
        NewCase(
            kind=CaseKind.OPINION,
            channel=Channel.objects.get(code="llamada_127"),
            opinion_type=OpinionType.objects.get(code="queja"),
            dependency=Dependency.objects.get(code="HG"),
            description="Me dejaron esperando cinco horas.",
            citizen=Citizen(phone="+50371234567"),
        ),
        acting_user=None,
    )
    browser.get(live_server.url + reverse("accounts:login"))
    browser.find_element(By.NAME, "username").send_keys("alicia")
    browser.find_element(By.NAME, "password").send_keys("secreto-de-prueba", Keys.ENTER)
    wait_for(lambda: "/casos/" in browser.current_url)
    panel = browser.find_element(By.ID, "call-panel")
    assert not panel.is_displayed()

    pbx_posts(live_server, "ringing")

    # Within a poll or two, the panel opens over the page with the caller's earlier case.
    def panel_shows_the_caller() -> bool:
        panel = browser.find_element(By.ID, "call-panel")
        text = panel.text
        return panel.is_displayed() and earlier.display_code in text and "7123-4567" in text

    wait_for(panel_shows_the_caller)

    # From the panel, the intake opens with the caller's number, and the case goes to the call.
    browser.find_element(By.CSS_SELECTOR, "#call-panel a.button.primary").click()
    wait_for(lambda: "llamada=" in browser.current_url)
    phone = browser.find_element(By.NAME, "citizen_phone")
    assert phone.get_attribute("value") == "7123-4567"
    wait_for(lambda: earlier.display_code in browser.find_element(By.ID, "caller-history").text)
    browser.find_element(By.NAME, "topic").send_keys("Horarios de atención")
    browser.find_element(By.NAME, "description").send_keys("¿Sigue abierta la farmacia?")
    browser.find_element(By.NAME, "answer").send_keys("Sí, hasta las 19 horas.")
    browser.find_element(By.NAME, "answer").send_keys(Keys.CONTROL, Keys.ENTER)
    wait_for(lambda: "registered=" in browser.current_url)
    wait_for(lambda: Call.objects.get().case_id is not None)
    assert Call.objects.get().case.citizen_phone == "+50371234567"
