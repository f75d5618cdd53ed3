"""The frequent steps on an item (send it to a unit, decide it, change its text) posted by htmx
come back as the item alone, swapped in place, with the request's status, the timeline and the
message out of band; with errors, the item with its form and HTTP 400; without htmx the same
URLs redirect as before. Other roles and other units are refused as on the full page. In a real
browser the page is not reloaded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import BROWSER_TESTS, wait_for
from enlace.accounts.models import Role, User
from enlace.oir.models import InformationRequest, RequestEvent

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "item-1", **EN}


def action(request, slug):
    return reverse("oir:action", args=[request.pk, slug])


def send_data(item, **overrides):
    data = {
        "item": item.pk,
        "dependency": "Hospital General [HG]",
        "internal_due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_sending_an_item_by_htmx_returns_the_item_in_place(register, oir, client_for):
    request = register()
    item = request.items.get()
    response = client_for(oir).post(action(request, "enviar"), send_data(item), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<article class="oir-item card" id="item-1">')
    assert "Sent to the unit" in html
    assert "Hospital General" in html
    assert 'id="request-status" hx-swap-oob="true">In process<' in html
    assert '<ol class="timeline" id="timeline" hx-swap-oob="true">' in html
    assert "Item sent to a unit" in html  # the new event on the timeline
    assert 'class="msg success">Item sent to the unit.<' in html
    assert "<html" not in html
    item.refresh_from_db()
    assert item.status == "sent"


@pytest.mark.django_db
def test_deciding_by_htmx_and_a_refused_decision_stay_in_place(register, oir, client_for):
    request = register()
    item = request.items.get()
    client = client_for(oir)
    # A reserved denial without its entry of the index: the item comes back with the error.
    refused = client.post(
        action(request, "decidir"), {"item": item.pk, "outcome": "reserved"}, **HTMX
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'id="action-decidir-' in html
    assert "must cite the entry of the index" in html
    assert " open>" in html  # the form is shown open with its error
    item.refresh_from_db()
    assert item.outcome == ""
    done = client.post(
        action(request, "decidir"),
        {"item": item.pk, "outcome": "delivered", "answer": "Se entrega el listado."},
        **HTMX,
    )
    assert done.status_code == 200
    assert "Delivered in full" in done.content.decode()
    assert RequestEvent.objects.filter(kind="item_decided").count() == 1


@pytest.mark.django_db
def test_a_rule_of_the_request_comes_back_as_the_message(register, oir, client_for):
    request = register()
    item = request.items.get()
    client = client_for(oir)
    client.post(action(request, "prevencion"), {"question": "¿Qué año?"})
    response = client.post(action(request, "enviar"), send_data(item), **HTMX)
    assert response.status_code == 400
    assert "waits for the requester" in response.content.decode()
    assert 'class="msg error"' in response.content.decode()


@pytest.mark.django_db
def test_a_tampered_item_reloads_the_page(register, oir, client_for):
    request = register()
    other = register()
    response = client_for(oir).post(action(request, "enviar"), send_data(other.items.get()), **HTMX)
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    assert other.items.get().status == "pending"


@pytest.mark.django_db
def test_without_htmx_the_same_form_redirects(register, oir, client_for):
    request = register()
    response = client_for(oir).post(action(request, "enviar"), send_data(request.items.get()))
    assert response.status_code == 302
    assert response.url == reverse("oir:detail", args=[request.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["liaison", "analyst", "agent"])
def test_other_roles_are_refused_in_place_too(persona, register, request, client_for):
    info = register()
    item = info.items.get()
    client = client_for(request.getfixturevalue(persona))
    response = client.post(action(info, "enviar"), send_data(item), **HTMX)
    assert response.status_code in (403, 404)
    response = client.post(
        action(info, "decidir"), {"item": item.pk, "outcome": "withdrawn"}, **HTMX
    )
    assert response.status_code in (403, 404)
    item.refresh_from_db()
    assert (item.status, item.outcome) == ("pending", "")


@pytest.mark.django_db
def test_a_liaison_of_the_unit_may_not_decide_and_another_unit_does_not_see_it(
    register, oir, liaison, outsider, client_for
):
    info = register()
    item = info.items.get()
    client_for(oir).post(action(info, "enviar"), send_data(item))
    decide = {"item": item.pk, "outcome": "withdrawn"}
    assert client_for(liaison).post(action(info, "decidir"), decide, **HTMX).status_code == 403
    assert client_for(outsider).post(action(info, "decidir"), decide, **HTMX).status_code == 404


@pytest.mark.django_db
def test_the_units_answer_form_is_boosted(register, oir, liaison, client_for):
    info = register()
    item = info.items.get()
    client_for(oir).post(action(info, "enviar"), send_data(item))
    html = client_for(liaison).get(reverse("oir:item", args=[item.pk])).content.decode()
    assert 'id="unit-answer" hx-boost="true"' in html


# --- In a browser -------------------------------------------------------------------------------
@pytest.mark.browser
@BROWSER_TESTS[1]
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sending_in_the_browser_updates_the_item_without_reloading(live_server, browser):
    from selenium.webdriver.common.by import By

    from enlace.oir import actions
    from enlace.oir.tests.conftest import request_data

    officer = User.objects.create_user(
        username="olga", password="secreto-de-prueba", role=Role.OIR_OFFICER
    )
    info, _created = actions.do_register_request(request_data(), acting_user=officer)
    browser.get(live_server.url + reverse("accounts:login"))
    browser.find_element(By.NAME, "username").send_keys("olga")
    browser.find_element(By.NAME, "password").send_keys("secreto-de-prueba")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: "/entrar/" not in browser.current_url)
    browser.get(live_server.url + reverse("oir:detail", args=[info.pk]))
    browser.execute_script("window.notReloaded = true;")
    item = info.items.get()
    form = browser.find_element(By.ID, f"action-enviar-{item.pk}")
    form.find_element(By.TAG_NAME, "summary").click()
    form.find_element(By.NAME, "dependency").send_keys("Hospital General [HG]")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(lambda: InformationRequest.objects.get(pk=info.pk).status == "in_process")
    wait_for(lambda: "Hospital General" in browser.find_element(By.ID, "item-1").text)
    wait_for(lambda: browser.find_element(By.CSS_SELECTOR, "#oir-flash .msg").is_displayed())
    assert browser.execute_script("return window.notReloaded === true;")
    status = browser.find_element(By.ID, "request-status").text
    assert status  # swapped out of band, in the page's language
    assert "event-item_sent" in browser.find_element(By.ID, "timeline").get_attribute("innerHTML")
