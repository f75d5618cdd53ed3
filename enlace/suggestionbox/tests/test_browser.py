"""In a real browser (Debian's headless chromium): the transcription grid's inputs sit under their
own column's header on a desktop, each form becomes a card on a 390 px phone without widening the
page, and axe-core finds no violation on the box's pages at either width."""

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import BROWSER_TESTS
from enlace.accounts.models import Role, User
from enlace.accounts.tests.test_browser import PASSWORD, log_in
from enlace.directory.models import Dependency
from enlace.portal.tests.test_browser import AXE_JS, axe_violations
from enlace.suggestionbox.actions import Opening, Witness, do_open_box

pytestmark = [
    *BROWSER_TESTS,
    pytest.mark.skipif(not AXE_JS.exists(), reason=f"axe-core is not installed ({AXE_JS})"),
]

# Where each header cell and each input of the grid is, as the browser laid them out.
GRID_BOXES = """
const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.top]; };
const table = document.querySelector("table.box-rows");
return {
  headers: [...table.tHead.rows[0].cells].map(box),
  rows: [...table.tBodies[0].rows].map(r => [...r.cells].map(
    c => { const i = c.querySelector("input:not([type=hidden]), select, textarea");
           return i ? box(i) : null; })),
};
"""


@pytest.fixture
def box_opening(db):
    user = User.objects.create_user(username="rosa", password=PASSWORD, role=Role.RESOLUTION)
    opening = do_open_box(
        Opening(
            dependency=Dependency.objects.get(code="HG"),
            opened_on=timezone.localdate(),
            witnesses=[Witness("Ana Pérez", "directora"), Witness("Luis Gómez", "Punto Seguro")],
            forms_found=3,
        ),
        acting_user=user,
    )
    return opening


def fits_the_window(browser) -> bool:
    """Nothing scrolls sideways: neither the page nor a table inside its scrolling box."""
    return bool(
        browser.execute_script(
            """return document.documentElement.scrollWidth <= window.innerWidth
          && [...document.querySelectorAll("main table")].every(
               t => t.getBoundingClientRect().right <= window.innerWidth);"""
        )
    )


def test_the_grid_lines_up_and_folds_into_cards_on_a_phone(
    live_server, browser, settings, box_opening
):
    from selenium.webdriver.common.by import By

    settings.SECOND_FACTOR_ROLES = []
    log_in(browser, live_server.url, "rosa")
    detail = live_server.url + reverse("suggestionbox:detail", args=[box_opening.pk])
    browser.get(detail)
    assert browser.find_element(By.ID, "box-batch")
    pages = {"opening, desktop": axe_violations(browser)}

    # On a desktop each input lies inside the span of its own column's header.
    boxes = browser.execute_script(GRID_BOXES)
    headers = boxes["headers"]
    assert len(boxes["rows"]) == 3
    for cells in boxes["rows"]:
        assert len(cells) == len(headers)
        for (left, right, _top), control in zip(headers[1:], cells[1:], strict=True):
            assert control is not None
            assert left - 1 <= control[0]
            assert control[1] <= right + 1

    # On a phone: no sideways scrolling of the page; each form is a card, its inputs stacked.
    browser.set_window_size(390, 844)
    browser.get(detail)
    assert fits_the_window(browser)
    boxes = browser.execute_script(GRID_BOXES)
    for cells in boxes["rows"]:
        tops = [control[2] for control in cells[1:]]
        assert tops == sorted(set(tops))  # one below the other
    pages["opening, phone"] = axe_violations(browser)

    browser.get(live_server.url + reverse("suggestionbox:list"))
    assert fits_the_window(browser)
    pages["openings, phone"] = axe_violations(browser)
    browser.set_window_size(1400, 1000)
    assert {name: found for name, found in pages.items() if found} == {}
