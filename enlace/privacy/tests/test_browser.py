"""In a real browser (Debian's headless chromium): a person asks the portal for a copy of their
data and keeps the receipt; the data-protection officer logs in, finds the request by its due
date, searches everything kept about the person and downloads it as a PDF, which the test
reads."""

import base64
import io
import re

from django.urls import reverse
from pypdf import PdfReader

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.privacy.models import SubjectRequest

pytestmark = BROWSER_TESTS


def test_an_access_request_from_the_portal_to_the_pdf_of_the_data(live_server, browser, make_case):
    from selenium.webdriver.common.by import By

    case = make_case(
        citizen={"name": "Marta Ruiz", "dui": "00016297-5", "email": "marta@example.com"},
        description="Me negaron la consulta de especialidad.",
    )
    browser.get(live_server.url + reverse("home"))
    browser.find_element(By.ID, "data-rights").click()
    wait_for(lambda: "/mis-datos/" in browser.current_url)
    browser.find_element(By.CSS_SELECTOR, 'input[name="kind"][value="access"]').click()
    browser.find_element(By.NAME, "description").send_keys("Quiero una copia de mis datos.")
    browser.find_element(By.NAME, "requester_name").send_keys("Marta Ruiz")
    browser.find_element(By.NAME, "dui").send_keys("00016297-5")
    browser.find_element(By.NAME, "email").send_keys("marta@example.com")
    browser.find_element(By.NAME, "declaration").click()
    browser.find_element(By.CSS_SELECTOR, "#data-form button[type=submit]").click()
    wait_for(lambda: "/recibo/" in browser.current_url)
    number = browser.find_element(By.ID, "request-number").text
    assert re.fullmatch(r"ARCO-\d{4}-0001", number)
    request = SubjectRequest.objects.get(number=number)
    assert browser.find_element(By.ID, "receipt-due").text == f"{request.due_on:%d/%m/%Y}"

    # The officer finds it and searches the person's data.
    User.objects.create_user(username="dora", password="secreto-de-prueba", role=Role.DPO)
    browser.get(live_server.url + reverse("accounts:login"))
    browser.find_element(By.NAME, "username").send_keys("dora")
    browser.find_element(By.NAME, "password").send_keys("secreto-de-prueba")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: "/entrar/" not in browser.current_url)
    browser.find_element(By.LINK_TEXT, "Protección de datos").click()
    wait_for(lambda: "/proteccion-datos/" in browser.current_url)
    browser.find_element(By.LINK_TEXT, number).click()
    wait_for(lambda: f"/solicitudes/{request.pk}/" in browser.current_url)
    browser.find_element(By.ID, "search-data").click()
    wait_for(lambda: browser.find_elements(By.ID, "found"))
    assert case.display_code in browser.find_element(By.ID, "holder-cases").text

    # The PDF, posted from the page as its button does, read by the test.
    encoded = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const form = document.getElementById("export-pdf").form;
        fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"})
          .then((answer) => answer.arrayBuffer())
          .then((buffer) => {
            let text = "";
            new Uint8Array(buffer).forEach((byte) => { text += String.fromCharCode(byte); });
            done(btoa(text));
          });
        """
    )
    content = base64.b64decode(encoded)
    assert content.startswith(b"%PDF")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert number in text
    assert "Marta Ruiz" in text
    assert case.display_code in text
    assert "Me negaron la consulta de especialidad." in text
