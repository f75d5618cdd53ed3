"""In a real browser (Debian's headless chromium): a role the policy names enrols a phone at its
first login and logs in with its code the next time; an account locked after repeated wrong
passwords is unlocked by an administrator from the administration."""

import base64
import re
import time

from django.urls import reverse
from django_otp.oath import TOTP

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User

pytestmark = BROWSER_TESTS
PASSWORD = "secreto-de-prueba"


def log_in(browser, url, username, password=PASSWORD):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    browser.get(url + reverse("accounts:login"))
    browser.execute_script("window.enlaceLoginPage = true;")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()

    # Wait for the answer to the post: a next `browser.get` must not cancel it (a login
    # attempt left unsent is a failure the lockout never counts). The answer is a new
    # document, which no longer carries the mark set above; while it loads chromium may
    # answer with any WebDriver error, so those count as "not yet".
    def answered() -> bool:
        try:
            return bool(
                browser.execute_script(
                    "return !window.enlaceLoginPage && document.readyState === 'complete';"
                )
            )
        except WebDriverException:
            return False

    wait_for(answered)


def code_for(secret: str, *, later: int = 0) -> str:
    """The code the person's phone shows now (or `later` steps of 30 s on: a code already used
    is not accepted twice)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * later
    return f"{totp.token():06d}"


def test_enrol_a_phone_then_log_in_with_its_code(live_server, browser, settings):
    from selenium.webdriver.common.by import By

    settings.SECOND_FACTOR_ROLES = [Role.RESOLUTION]
    User.objects.create_user(username="rosa", password=PASSWORD, role=Role.RESOLUTION)
    log_in(browser, live_server.url, "rosa")
    wait_for(lambda: "/segundo-factor/alta/" in browser.current_url)
    assert "Proteja su cuenta con su teléfono" in browser.page_source
    assert browser.find_elements(By.CSS_SELECTOR, "figure.qr svg")
    secret = re.sub(r"\s", "", browser.find_element(By.ID, "totp-key").text)
    browser.find_element(By.NAME, "token").send_keys(code_for(secret))
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "recovery-codes"))
    codes = browser.find_elements(By.CSS_SELECTOR, "#recovery-codes code")
    assert len(codes) == 10
    browser.find_element(By.LINK_TEXT, "Ya los guardé").click()
    wait_for(lambda: "/casos/" in browser.current_url)

    # The next login asks for the phone's code.
    browser.delete_all_cookies()
    log_in(browser, live_server.url, "rosa")
    wait_for(lambda: "/segundo-factor/" in browser.current_url)
    browser.find_element(By.NAME, "token").send_keys("000000")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: "no es correcto" in browser.page_source)
    time.sleep(2)  # django-otp slows down the next try after a wrong code
    field = browser.find_element(By.NAME, "token")
    field.clear()
    field.send_keys(code_for(secret, later=1))
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: "/casos/" in browser.current_url and "/cuenta/" not in browser.current_url)
    assert "Casos" in browser.title or browser.find_elements(By.TAG_NAME, "h1")


def test_a_locked_account_is_unlocked_by_an_administrator(live_server, browser, settings):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    settings.AXES_FAILURE_LIMIT = 3
    agent = User.objects.create_user(username="alicia", password=PASSWORD, role=Role.AGENT)
    User.objects.create_user(
        username="adela",
        password=PASSWORD,
        role=Role.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,
    )
    for _attempt in range(3):
        log_in(browser, live_server.url, "alicia", "adivinada")
    wait_for(lambda: "Cuenta bloqueada" in browser.page_source)
    log_in(browser, live_server.url, "alicia")  # the right password, still locked
    wait_for(lambda: "Cuenta bloqueada" in browser.page_source)

    # The administrator unlocks it from the administration's list of users.
    log_in(browser, live_server.url, "adela")
    wait_for(lambda: "/entrar/" not in browser.current_url)
    browser.get(live_server.url + reverse("admin:accounts_user_changelist"))
    browser.find_element(
        By.CSS_SELECTOR, f'input[name="_selected_action"][value="{agent.pk}"]'
    ).click()
    Select(browser.find_element(By.NAME, "action")).select_by_value("unlock")
    browser.find_element(By.NAME, "index").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".messagelist"))

    browser.delete_all_cookies()
    log_in(browser, live_server.url, "alicia")
    wait_for(lambda: "/entrar/" not in browser.current_url)
    assert "Cuenta bloqueada" not in browser.page_source
