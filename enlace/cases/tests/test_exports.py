"""Exports of the case list as CSV and XLSX: the list's own filters and scope, Spanish headers,
dates as dates, plain text that no spreadsheet runs as a formula, who may export, the audit
line, and a constant number of queries whatever the number of rows."""

import csv
import io
import logging
from datetime import datetime

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl.worksheet import _writer as openpyxl_writer

from conftest import make_user
from enlace.accounts.models import Role
from enlace.cases.exports import ExportFormat, export_rows, headers, neutralise, write_xlsx
from enlace.cases.lifecycle import CaseKind
from enlace.cases.permissions import Capability, has_capability
from enlace.cases.queries import CaseFilters, filter_cases, visible_cases

URL = reverse("cases:export")
LIST_URL = reverse("cases:list")
TZ = timezone.get_fixed_timezone(-6 * 60)  # El Salvador: UTC-6 all year


def body(response):
    return b"".join(response.streaming_content)


def csv_rows(response):
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(body(response)))
    return book.worksheets[0]


def xlsx_rows(response):
    return [list(row) for row in xlsx_sheet(response).iter_rows(values_only=True)]


def export(client, query=None, export_format="csv"):
    response = client.get(URL, {**(query or {}), "formato": export_format})
    assert response.status_code == 200, response.status_code
    return response


@pytest.fixture
def cases(make_case, agent):
    received = datetime(2025, 3, 14, 9, 30, tzinfo=TZ)
    return {
        "hg_reclamo": make_case(
            centre="HG",
            type="reclamo",
            by=agent,
            received_at=received,
            description="Faltó acetaminofén en la farmacia",
            citizen={
                "name": "María José Núñez",
                "dui": "00016297-5",
                "phone": "+50371234567",
                "email": "maria@example.com",
            },
        ),
        "zac_queja": make_case(
            centre="UM-ZAC",
            type="queja",
            limitante="trato_personal",
            channel="buzon",
            description="El médico fue grosero en la consulta",
        ),
        "inquiry": make_case(
            CaseKind.INQUIRY,
            topic="citas",
            answered_at_first_contact=True,
            answer="Cita confirmada",
        ),
    }


def by_code(rows):
    """The data rows of an export by their tracking code (XXXXX-XXXXX)."""
    return {row[0]: row for row in rows[1:]}


def display(case):
    return case.display_code


# --- CSV --------------------------------------------------------------------------------------
def test_the_csv_has_spanish_headers_and_readable_values(resolution, client_for, cases):
    response = export(client_for(resolution))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="casos-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert "no-store" in response["Cache-Control"]
    rows = csv_rows(response)
    header = rows[0]
    assert header == headers()
    assert len(header) == 19
    # Headers whose Spanish the catalogue already has.
    for spanish in ("Clase", "Canal", "Estado", "Prioridad", "DUI", "Descripción"):
        assert spanish in header
    assert len(rows) == 4

    case = cases["hg_reclamo"]
    row = dict(zip(header, by_code(rows)[display(case)], strict=True))
    assert row[headers()[1]] == "Opinión"
    assert row[headers()[2]] == "2025-03-14 09:30:00"  # local time
    assert row[headers()[3]] == case.channel.name
    assert row[headers()[4]] == case.opinion_type.name
    assert row[headers()[5]] == ""
    assert row[headers()[6]] == "HG"
    assert row[headers()[7]] == case.dependency.name
    assert row[headers()[8]] == "Hospitales y consultorios de especialidades"
    assert row[headers()[9]] == case.limitante.name
    assert row[headers()[10]] == case.get_status_display()
    assert row[headers()[11]] == "Normal"
    assert row[headers()[12]] == ""
    assert row[headers()[13]] == case.next_due_on.isoformat()
    assert row[headers()[14]] == "María José Núñez"
    assert row[headers()[15]] == "00016297-5"
    assert row[headers()[16]] == "7123-4567"
    assert row[headers()[17]] == "maria@example.com"
    assert row[headers()[18]] == "Faltó acetaminofén en la farmacia"

    inquiry = by_code(rows)[display(cases["inquiry"])]
    assert inquiry[1] == "Consulta"
    assert inquiry[5] == cases["inquiry"].topic.name
    closed_at = timezone.localtime(cases["inquiry"].closed_at)
    assert inquiry[12] == f"{closed_at:%Y-%m-%d %H:%M:%S}"


def test_the_csv_is_in_the_order_of_the_list(resolution, client_for, cases):
    rows = csv_rows(export(client_for(resolution)))
    listed = client_for(resolution).get(LIST_URL).context["page"].cases
    assert [row[0] for row in rows[1:]] == [case.display_code for case in listed]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"kind": "consulta"},
        {"kind": "opinion"},
        {"opinion_type": "queja"},
        {"channel": "buzon"},
        {"dependency": "um-zac"},
        {"level_of_care": "hospital"},
        {"status": "closed"},
        {"status": "open"},
        {"q": "medico grosero"},
        {"q": "00016297-5"},
        {"kind": "opinion", "received_from": "2025-03-14", "received_to": "2025-03-14"},
        {"received_from": "2025-03-15"},
        {"q": "nadaparecido"},
    ],
)
def test_an_export_holds_exactly_the_cases_the_list_shows(resolution, client_for, cases, query):
    client = client_for(resolution)
    listed = {case.display_code for case in client.get(LIST_URL, query).context["page"].cases}
    for export_format in ExportFormat:
        response = export(client, query, export_format)
        rows = csv_rows(response) if export_format == "csv" else xlsx_rows(response)
        assert {row[0] for row in rows[1:]} == listed, export_format
        assert len(rows) - 1 == len(listed)


def test_a_filtered_export_leaves_the_other_cases_out(resolution, client_for, cases):
    rows = csv_rows(export(client_for(resolution), {"channel": "buzon"}))
    assert [row[0] for row in rows[1:]] == [display(cases["zac_queja"])]


def test_pagination_parameters_do_not_cut_the_export(resolution, client_for, cases, settings):
    settings.CASE_LIST_PAGE_SIZE = 1
    client = client_for(resolution)
    cursor = client.get(LIST_URL).context["page"].next_cursor
    rows = csv_rows(export(client, {"after": cursor}))
    assert len(rows) - 1 == 3


# --- XLSX -------------------------------------------------------------------------------------
def test_the_xlsx_has_dates_as_dates(resolution, client_for, cases):
    response = export(client_for(resolution), export_format="xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="casos-')
    assert "no-store" in response["Cache-Control"]
    sheet = xlsx_sheet(response)
    assert sheet.title == "Casos"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == headers()
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"

    case = cases["hg_reclamo"]
    row = by_code(rows)[display(case)]
    assert row[2] == datetime(2025, 3, 14, 9, 30)  # local time, as a date and time
    assert isinstance(row[13], datetime)  # the next due date: a date (openpyxl reads datetime)
    assert row[13].date() == case.next_due_on
    assert row[12] is None  # not closed
    assert row[14] == "María José Núñez"
    assert row[16] == "7123-4567"
    assert row[18] == "Faltó acetaminofén en la farmacia"

    inquiry = by_code(rows)[display(cases["inquiry"])]
    closed_at = timezone.localtime(cases["inquiry"].closed_at).replace(tzinfo=None)
    assert isinstance(inquiry[12], datetime)
    assert abs((inquiry[12] - closed_at).total_seconds()) < 1
    assert inquiry[4] is None  # an inquiry has no opinion type: an empty cell


def test_the_xlsx_drops_characters_a_workbook_cannot_hold(resolution, client_for, make_case):
    case = make_case(description="Línea\x0buno\x01 y dos\x1f")
    rows = xlsx_rows(export(client_for(resolution), export_format="xlsx"))
    assert by_code(rows)[display(case)][18] == "Líneauno y dos"


def test_a_failed_xlsx_leaves_no_temporary_file():
    before = set(openpyxl_writer.ALL_TEMP_FILES)

    def rows():
        yield ["x"] * len(headers())
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_xlsx(headers(), rows(), io.BytesIO())
    assert set(openpyxl_writer.ALL_TEMP_FILES) == before


# --- Text stays text --------------------------------------------------------------------------
DANGEROUS = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\x01=1+1",  # made dangerous by dropping the control character
]


@pytest.mark.parametrize("description", DANGEROUS)
def test_a_formula_is_exported_as_text(resolution, client_for, make_case, description):
    case = make_case(description=description, citizen={"name": '=HYPERLINK("http://x")'})
    client = client_for(resolution)
    plain = case.description.replace("\x01", "")

    row = by_code(csv_rows(export(client)))[display(case)]
    assert row[18] == "'" + plain
    assert row[14] == '\'=HYPERLINK("http://x")'

    sheet = xlsx_sheet(export(client, export_format="xlsx"))
    cells = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == display(case))
    assert cells[18].value == "'" + plain
    assert cells[18].data_type == "s"  # a string, not a formula
    assert cells[14].data_type == "s"


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("\x0b@x", "'@x"),
        ("Sin cita = sin atención", "Sin cita = sin atención"),
        ("", ""),
    ],
)
def test_neutralise(text, cell):
    assert neutralise(text) == cell


def test_html_is_exported_as_plain_text(resolution, client_for, make_case):
    html = '<script>alert("x")</script> <b>Sin</b> cita & sin &amp; respuesta'
    case = make_case(description=html, citizen={"name": "<i>Ana</i>"})
    client = client_for(resolution)
    row = by_code(csv_rows(export(client)))[display(case)]
    assert row[18] == html
    assert row[14] == "<i>Ana</i>"
    xlsx_row = by_code(xlsx_rows(export(client, export_format="xlsx")))[display(case)]
    assert xlsx_row[18] == html


# --- Who may export ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.RESOLUTION, True),
        (Role.LIAISON, True),
        (Role.ANALYST, True),
        (Role.ADMINISTRATOR, True),
        (Role.AGENT, False),
        (Role.PUNTO_SEGURO, False),
        (Role.OIR_OFFICER, False),
    ],
)
def test_export_is_a_capability_of_some_roles(role, allowed, db):
    centre = "HG" if role in (Role.LIAISON, Role.PUNTO_SEGURO) else None
    user = make_user(f"user-{role}", role, centre)  # not a superuser: the role's own table
    assert has_capability(user, Capability.EXPORT_CASES) is allowed


def test_a_liaison_exports_only_their_centre(liaison, outsider, client_for, cases):
    rows = csv_rows(export(client_for(liaison)))
    assert [row[0] for row in rows[1:]] == [display(cases["hg_reclamo"])]
    rows = xlsx_rows(export(client_for(outsider), export_format="xlsx"))
    assert [row[0] for row in rows[1:]] == [display(cases["zac_queja"])]


def test_a_liaison_cannot_widen_their_scope_with_a_filter(liaison, client_for, cases):
    rows = csv_rows(export(client_for(liaison), {"dependency": "um-zac"}))
    assert rows[1:] == []


@pytest.mark.parametrize("persona", ["agent", "punto_seguro", "oir"])
def test_desk_roles_may_not_export(request, client_for, cases, persona):
    user = request.getfixturevalue(persona)
    for export_format in ExportFormat:
        response = client_for(user).get(URL, {"formato": export_format})
        assert response.status_code == 403


def test_an_anonymous_visitor_must_log_in(client, db):
    response = client.get(URL, {"formato": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_format_is_refused(analyst, client_for, cases):
    response = client_for(analyst).get(URL, {"formato": "pdf"})
    assert response.status_code == 400


def test_the_format_defaults_to_csv(analyst, client_for, cases):
    response = client_for(analyst).get(URL)
    assert response.status_code == 200
    assert len(csv_rows(response)) == 4


def test_an_export_is_logged_with_who_and_what(analyst, client_for, cases, caplog):
    with caplog.at_level(logging.INFO, logger="enlace.audit"):
        csv_rows(export(client_for(analyst), {"channel": "buzon"}))
        xlsx_rows(export(client_for(analyst), {"kind": "consulta"}, "xlsx"))
    lines = [record.getMessage() for record in caplog.records if record.name == "enlace.audit"]
    assert lines[0].startswith("case export started: user=andres")
    assert "format=csv" in lines[0]
    assert "channel=buzon" in lines[0]
    assert "formato" not in lines[0]
    assert lines[1].startswith("case export finished: user=andres")
    assert "rows=1 " in lines[1]
    assert "format=xlsx" in lines[2]
    assert "kind=consulta" in lines[2]
    assert "rows=1 " in lines[3]


# --- The list links to its export -------------------------------------------------------------
def test_the_list_links_to_the_export_of_its_filters(analyst, client_for, cases):
    content = client_for(analyst).get(LIST_URL, {"kind": "opinion", "q": "médico"}).content
    page = content.decode()
    assert f"{URL}?kind=opinion&amp;q=m%C3%A9dico&amp;formato=csv" in page
    assert f"{URL}?kind=opinion&amp;q=m%C3%A9dico&amp;formato=xlsx" in page
    unfiltered = client_for(analyst).get(LIST_URL).content.decode()
    assert f"{URL}?formato=xlsx" in unfiltered


def test_the_list_offers_no_export_to_a_desk_role(agent, client_for, cases):
    assert URL not in client_for(agent).get(LIST_URL).content.decode()


# --- Memory and queries -----------------------------------------------------------------------
def test_the_rows_are_read_in_chunks(resolution, cases, django_assert_num_queries):
    queryset = filter_cases(visible_cases(resolution), CaseFilters())
    with django_assert_num_queries(1):
        rows = export_rows(queryset.order_by("-received_at", "-id"), chunk_size=1)
        first = next(rows)
        assert first[0] == display(cases["inquiry"])
        assert len([first, *rows]) == 3


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_an_export_makes_the_same_number_of_queries_for_any_number_of_rows(
    resolution, client_for, make_case, django_assert_max_num_queries, export_format
):
    client = client_for(resolution)
    query = {"status": "open", "channel": "llamada_127", "dependency": "HG"}
    for _ in range(10):
        make_case(citizen={"name": "Ana"})
    export(client, query, export_format)  # warm the session
    with django_assert_max_num_queries(7) as small:
        response = export(client, query, export_format)
        rows = csv_rows(response) if export_format == "csv" else xlsx_rows(response)
    assert len(rows) == 11
    # The session, the user, the filters' own look-ups, one query for the rows, and one
    # INSERT ... SELECT of the same cases into the access log (enlace/privacy/access.py).
    assert sum('"cases_case"' in query["sql"] for query in small.captured_queries) == 2
    for _ in range(190):
        make_case(citizen={"name": "Ana"})
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = export(client, query, export_format)
        rows = csv_rows(response) if export_format == "csv" else xlsx_rows(response)
    assert len(rows) == 201


# --- Personal data by need (enlace/cases/personal.py) -----------------------------------------
def test_an_analyst_exports_figures_not_identities(analyst, client_for, cases):
    rows = csv_rows(export(client_for(analyst)))
    header = rows[0]
    row = dict(zip(header, by_code(rows)[display(cases["hg_reclamo"])], strict=True))
    assert row[headers()[10]] == cases["hg_reclamo"].get_status_display()  # the figures stay
    assert row[headers()[14]] == "M. J. N."
    assert row[headers()[15]] == "0001••••-5"
    assert row[headers()[16]] == "••••-••67"
    assert row[headers()[17]] == "m••••@example.com"
    assert row[headers()[18]] == ""  # what the citizen wrote may name people or illnesses
    xlsx = by_code(xlsx_rows(export(client_for(analyst), export_format="xlsx")))
    assert xlsx[display(cases["hg_reclamo"])][14] == "M. J. N."


def test_an_export_with_personal_data_is_in_the_access_log(resolution, analyst, client_for, cases):
    from enlace.privacy.models import AccessVia, PersonalDataAccess

    rows = csv_rows(export(client_for(resolution), {"kind": "opinion"}))
    logged = PersonalDataAccess.objects.filter(user=resolution, via=AccessVia.EXPORT)
    assert logged.count() == len(rows) - 1
    codes = {row[0] for row in rows[1:]}
    assert {access.case.display_code for access in logged} == codes
    # A masked export shows no personal data: nothing to log.
    export(client_for(analyst))
    assert not PersonalDataAccess.objects.filter(user=analyst).exists()
