"""In a real browser (Debian's headless chromium): a citizen files a request on the portal and
keeps the receipt; the OIR officer logs in, finds it on the list with its legal due date,
decides its item and issues the resolution; the test downloads the PDF and reads its text."""

import io
import re
import urllib.request

from django.urls import reverse
from pypdf import PdfReader

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.oir.models import InformationRequest

pytestmark = BROWSER_TESTS


def test_portal_filing_to_a_resolution_pdf(live_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    # The citizen, on the portal's form (in Spanish, as the browser asks).
    browser.get(live_server.url + reverse("home"))
    browser.find_element(
        By.CSS_SELECTOR, f'#oir-links a[href="{reverse("oir_public:file")}"]'
    ).click()
    wait_for(lambda: "/informacion-publica/" in browser.current_url)
    browser.find_element(By.NAME, "description").send_keys(
        "Listado de plazas vacantes de médicos especialistas en 2025."
    )
    Select(browser.find_element(By.NAME, "delivery_mode")).select_by_value("electronic")
    browser.find_element(By.NAME, "requester_name").send_keys("Rosa Amaya")
    Select(browser.find_element(By.NAME, "gender")).select_by_value("female")
    browser.find_element(By.NAME, "document_number").send_keys("04567890-3")
    browser.find_element(By.CSS_SELECTOR, 'input[name="notify_by"][value="email"]').click()
    browser.find_element(By.NAME, "email").send_keys("rosa@example.com")
    browser.find_element(By.CSS_SELECTOR, "#oir-form button[type=submit]").click()
    wait_for(lambda: "/recibo/" in browser.current_url)
    number = browser.find_element(By.ID, "request-number").text
    assert re.fullmatch(r"OIR-\d{4}-0001", number)
    request = InformationRequest.objects.get(number=number)
    assert browser.find_element(By.ID, "receipt-due").text == f"{request.due_on:%d/%m/%Y}"

    # The officer logs in and finds it with its legal due date.
    User.objects.create_user(username="olga", password="secreto-de-prueba", role=Role.OIR_OFFICER)
    browser.get(live_server.url + reverse("accounts:login"))
    browser.find_element(By.NAME, "username").send_keys("olga")
    browser.find_element(By.NAME, "password").send_keys("secreto-de-prueba")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: "/entrar/" not in browser.current_url)
    browser.get(live_server.url + reverse("oir:list"))
    row = browser.find_element(By.ID, f"request-{request.pk}")
    assert f"{request.due_on:%d/%m/%Y}" in row.text
    row.find_element(By.LINK_TEXT, number).click()
    wait_for(lambda: f"/oir/solicitudes/{request.pk}/" in browser.current_url)

    # Decide the one item: delivered in full.
    item = request.items.get()
    decide = browser.find_element(By.ID, f"action-decidir-{item.pk}")
    decide.find_element(By.TAG_NAME, "summary").click()
    Select(decide.find_element(By.NAME, "outcome")).select_by_value("delivered")
    decide.find_element(By.NAME, "answer").send_keys("Se entrega el listado de 12 plazas.")
    decide.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(
        lambda: InformationRequest.objects.get(pk=request.pk).items.get().outcome == "delivered"
    )

    # Issue the resolution.
    wait_for(lambda: browser.find_element(By.ID, "action-resolver").is_displayed())
    resolve = browser.find_element(By.ID, "action-resolver")
    resolve.find_element(By.TAG_NAME, "summary").click()
    resolve.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "resolution-pdf"))
    assert InformationRequest.objects.get(pk=request.pk).status == "resolved"

    # Download the PDF with the officer's session and read it.
    href = browser.find_element(By.ID, "resolution-pdf").get_attribute("href")
    session = browser.get_cookie("sessionid")["value"]
    assert href.startswith(live_server.url)
    download = urllib.request.Request(href, headers={"Cookie": f"sessionid={session}"})  # noqa: S310
    with urllib.request.urlopen(download, timeout=20) as response:  # noqa: S310 - live server
        assert response.headers["Content-Type"] == "application/pdf"
        content = response.read()
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert number in text
    assert "Rosa Amaya" in text
    assert "se entrega la información solicitada en su totalidad" in text
    assert "entrega electrónica" in text
    assert "recurso de apelación ante el Instituto de Acceso a la Información Pública" in text


def test_axe_finds_no_violation_on_the_public_information_pages(live_server, browser):
    """The citizens' pages of the OIR meet the same accessibility bar as the portal's (WCAG 2.1
    A and AA and axe's best practices): the form, the form with errors, the receipt, tracking,
    the register and the index of reserved information."""
    import pytest
    from selenium.webdriver.common.by import By

    from enlace.portal.tests.test_browser import AXE_JS, axe_violations

    if not AXE_JS.exists():
        pytest.skip(f"axe-core is not installed ({AXE_JS})")
    url = live_server.url
    pages = {}
    browser.get(url + reverse("oir_public:file"))
    pages["filing form"] = axe_violations(browser)
    browser.find_element(By.CSS_SELECTOR, "#oir-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".errorlist, #error-summary"))
    pages["filing form with errors"] = axe_violations(browser)
    browser.find_element(By.NAME, "description").send_keys("Actas del consejo directivo de 2024.")
    browser.find_element(By.NAME, "requester_name").send_keys("Rosa Amaya")
    browser.find_element(By.NAME, "document_number").send_keys("04567890-3")
    browser.find_element(By.CSS_SELECTOR, 'input[name="notify_by"][value="email"]').click()
    browser.find_element(By.NAME, "email").send_keys("rosa@example.com")
    browser.find_element(By.CSS_SELECTOR, "#oir-form button[type=submit]").click()
    wait_for(lambda: "/recibo/" in browser.current_url)
    pages["receipt"] = axe_violations(browser)
    for name, route in (
        ("tracking form", "oir_public:track"),
        ("register", "oir_public:register"),
        ("reserved index", "oir_public:reserved"),
    ):
        browser.get(url + reverse(route))
        pages[name] = axe_violations(browser)
    assert {page: found for page, found in pages.items() if found} == {}
