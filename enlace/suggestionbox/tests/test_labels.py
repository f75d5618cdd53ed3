"""The transcription grid is a table of inputs: each input has a label of its own that names its
column and its form's number (a screen reader reads "Tipo del formulario 2", not "Tipo"
ten times), and each row has as many cells as the header has columns, in the same order."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from enlace.suggestionbox.tests.test_boxes import batch, opening, row  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class Page(HTMLParser):
    """The page's form controls and labels, and the transcription grid's rows of cells."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.labels: dict[str, str] = {}  # for= id -> text
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self._labels_open = 0
        self.in_grid = False
        self.headers: list[str] = []
        self.rows: list[list[dict[str, str]]] = []
        self._cell: dict[str, str] | None = None
        self._cell_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "table" and "box-rows" in attributes.get("class", "").split():
            self.in_grid = True
        typed = attributes.get("type", "text") not in UNLABELLED_TYPES
        if tag in ("input", "select", "textarea") and typed:
            self.controls.append({"tag": tag, "wrapped": str(self._labels_open), **attributes})
        if tag == "label":
            self._labels_open += 1
            self._label_for = attributes.get("for")
            self._label_text = []
        if self.in_grid and tag == "tr":
            self.rows.append([])
        if self.in_grid and tag in ("th", "td"):
            self._cell = attributes
            self._cell_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._labels_open -= 1
            if self._label_for:
                self.labels[self._label_for] = " ".join("".join(self._label_text).split())
            self._label_for = None
        if self.in_grid and tag in ("th", "td") and self._cell is not None:
            cell = {**self._cell, "text": " ".join("".join(self._cell_text).split())}
            self.rows[-1].append(cell)
            self._cell = None
        if tag == "table":
            self.in_grid = False

    def handle_data(self, data: str) -> None:
        if self._label_for is not None:
            self._label_text.append(data)
        if self._cell is not None and self._label_for is None:
            self._cell_text.append(data)

    def label_of(self, control: dict[str, str]) -> str:
        return (
            control.get("aria-label")
            or control.get("aria-labelledby")
            or self.labels.get(control.get("id", ""), "")
            or ("wrapped" if control["wrapped"] != "0" else "")
        )


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_every_input_of_the_detail_page_has_a_label(opening, resolution, client_for):  # noqa: F811
    html = client_for(resolution).get(reverse("suggestionbox:detail", args=[opening.pk]))
    page = parse(html.content.decode())
    grid = [c for c in page.controls if c.get("name", "").startswith("form-")]
    assert len(grid) == 3 * 6  # three forms found, six inputs each
    unlabelled = [c.get("name") or c.get("id") for c in page.controls if not page.label_of(c)]
    assert unlabelled == []
    # No two inputs share a name: each says its column and its form.
    names = [page.label_of(c) for c in grid]
    assert len(set(names)) == len(names)
    header, *rows = page.rows
    columns = [cell["text"] for cell in header]
    for number, cells in enumerate(rows, start=1):
        assert len(cells) == len(columns)
        assert cells[0]["text"] == str(number)
        for column, cell in zip(columns[1:], cells[1:], strict=True):
            assert cell["data-label"] == column  # the column's name on a phone's card
    for control in grid:
        number = int(control["name"].split("-")[1]) + 1
        label = page.label_of(control)
        assert label.split()[0] in columns[1:]
        assert label.endswith(str(number))


def test_the_labels_stay_when_a_batch_comes_back_with_errors(
    opening,  # noqa: F811
    resolution,
    client_for,
):
    url = reverse("suggestionbox:transcribe", args=[opening.pk])
    response = client_for(resolution).post(url, batch([row(1, citizen_name="Sin texto")]))
    assert response.status_code == 400
    page = parse(response.content.decode())
    assert [c.get("name") for c in page.controls if not page.label_of(c)] == []
    described = [c for c in page.controls if c.get("name") == "form-0-description"]
    assert len(described) == 1
    assert described[0].get("aria-invalid") == "true"


def test_the_list_of_openings_labels_its_cells_for_a_phone(opening, resolution, client_for):  # noqa: F811
    html = client_for(resolution).get(reverse("suggestionbox:list")).content.decode()
    assert '<table class="cases cards">' in html
    assert html.count("data-label=") == 4
