"""A study from end to end in a real browser (Debian's headless chromium): resolution staff
design a questionnaire with a condition and publish it, plan a study and start its fieldwork; a
citizen answers by an invitation link on a phone-sized screen (axe finds nothing); a call-centre
agent interviews by phone on the form that saves as it goes; the reviewer rejects one answer and
the results show what counts."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.directory.models import Dependency
from enlace.portal.tests.test_browser import AXE_JS, axe_violations
from enlace.surveys.actions.invitations import do_invite
from enlace.surveys.models import (
    Instrument,
    InvitationChannel,
    Response,
    ResponseStatus,
    ReviewState,
    Study,
    StudyStatus,
    VersionStatus,
)

pytestmark = BROWSER_TESTS


def log_in(browser, live_server, username: str) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/cuenta/entrar/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys("clave-de-prueba-larga")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: "/entrar/" not in browser.current_url)


def fill(browser, fields: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    for name, value in fields.items():
        element = browser.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "checkbox":
            if (value == "on") != element.is_selected():
                element.click()
        else:
            element.clear()
            element.send_keys(value)


@pytest.mark.skipif(not AXE_JS.exists(), reason=f"axe-core is not installed ({AXE_JS})")
def test_design_publish_answer_interview_review_and_results(live_server, browser) -> None:
    from selenium.webdriver.common.by import By

    cache.clear()
    for username, role in (("rosa", Role.RESOLUTION), ("ana", Role.AGENT)):
        User.objects.create_user(username=username, password="clave-de-prueba-larga", role=role)

    # Design: a questionnaire, a scale and a follow-up shown only on a low score.
    log_in(browser, live_server, "rosa")
    browser.get(f"{live_server.url}/estudios/instrumentos/")
    fill(browser, {"name": "Trato en farmacia", "kind": "questionnaire"})
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: "/estudios/versiones/" in browser.current_url)
    version = Instrument.objects.get(code="trato-en-farmacia").versions.get()
    fill(
        browser,
        {"code": "trato", "text": "¿Cómo le trataron en farmacia?", "kind": "scale"},
    )
    fill(browser, {"required": "on", "low_label": "Muy mal", "high_label": "Muy bien"})
    browser.find_element(By.CSS_SELECTOR, "details form button[type=submit]").click()
    wait_for(lambda: version.questions.filter(code="trato").exists())
    trato = version.questions.get(code="trato")
    fill(
        browser,
        {
            "code": "motivo",
            "text": "¿Qué pasó?",
            "kind": "long_text",
            "condition_question": str(trato.pk),
            "condition_values": "1, 2",
        },
    )
    browser.find_element(By.CSS_SELECTOR, "details form button[type=submit]").click()
    wait_for(lambda: version.questions.filter(code="motivo").exists())
    browser.find_element(By.XPATH, "//button[contains(., 'Publicar esta versión')]").click()
    wait_for(lambda: version.__class__.objects.get(pk=version.pk).status == VersionStatus.PUBLISHED)

    # A study by phone and by link at the Hospital General, in fieldwork today.
    today = timezone.localdate().isoformat()
    browser.get(f"{live_server.url}/estudios/nuevo/")
    fill(
        browser,
        {
            "name": "Farmacia, diciembre",
            "kind": "satisfaction",
            "version": str(version.pk),
            "method": "phone",
            "centres": "HG | 20",
        },
    )
    for name in ("period_start", "period_end"):
        browser.execute_script(
            "document.getElementsByName(arguments[0])[0].value = arguments[1]", name, today
        )
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: Study.objects.filter(name="Farmacia, diciembre").exists())
    study = Study.objects.get(name="Farmacia, diciembre")
    browser.find_element(By.XPATH, "//button[contains(., 'Iniciar el trabajo de campo')]").click()
    wait_for(lambda: Study.objects.get(pk=study.pk).status == StudyStatus.FIELDWORK)

    # A citizen answers by an invitation's link on a phone: the follow-up appears on a 2.
    invited = do_invite(
        study,
        Dependency.objects.get(code="HG"),
        channel=InvitationChannel.EMAIL,
        address="luis@example.com",
    )
    assert invited is not None
    browser.delete_all_cookies()
    browser.set_window_size(360, 740)
    browser.get(f"{live_server.url}/encuesta/i/{invited[1]}/")
    follow_up = browser.find_element(By.ID, "q-motivo")
    assert not follow_up.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "label[for=id-trato-1]").click()  # 2
    wait_for(follow_up.is_displayed)
    assert axe_violations(browser) == []
    browser.find_element(By.NAME, "motivo").send_keys("No había medicina y nadie explicó.")
    browser.find_element(By.CSS_SELECTOR, "#survey-form button[type=submit]").click()
    wait_for(lambda: browser.find_elements(By.ID, "survey-thanks"))
    browser.set_window_size(1400, 1000)

    # An agent interviews by phone: each answer is saved as it is given.
    log_in(browser, live_server, "ana")
    browser.get(f"{live_server.url}/estudios/{study.pk}/")
    browser.find_element(By.XPATH, "//button[contains(., 'Entrevistar')]").click()
    wait_for(lambda: "/estudios/respuestas/" in browser.current_url)
    interview = Response.objects.get(study=study, status=ResponseStatus.IN_PROGRESS)
    browser.find_element(By.CSS_SELECTOR, "input[name=trato][value='5']").click()
    wait_for(lambda: "Guardado" in browser.find_element(By.ID, "status-trato").text)
    assert interview.answers.get().number == 5
    browser.find_element(By.XPATH, "//button[contains(., 'Enviar la respuesta')]").click()
    wait_for(lambda: Response.objects.get(pk=interview.pk).status == ResponseStatus.SUBMITTED)

    # The reviewer rejects the interview (a test call); the results count the citizen's answer.
    log_in(browser, live_server, "rosa")
    browser.get(f"{live_server.url}/estudios/respuestas/{interview.pk}/")
    browser.find_element(By.CSS_SELECTOR, "input[name=state][value=rejected]").click()
    browser.find_element(By.NAME, "note").send_keys("Llamada de prueba")
    browser.find_element(By.XPATH, "//button[normalize-space()='Registrar']").click()
    wait_for(lambda: Response.objects.get(pk=interview.pk).review_state == ReviewState.REJECTED)
    browser.get(f"{live_server.url}/estudios/{study.pk}/resultados/")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "1 respuestas contadas de una meta de 20" in text or "1 respuesta" in text
    assert "Menos de 5" in text or "—†" in text  # one answer: its figures are not shown
