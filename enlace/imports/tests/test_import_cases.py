"""`manage.py import_cases`: historical cases from CSV and XLSX, all-or-nothing by default,
every bad row named by line and column, re-imports that never duplicate."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import Case, CaseDeadline, CaseEvent, EventKind
from enlace.imports.rows import COLUMNS

SV = ZoneInfo("America/El_Salvador")
HEADER = ",".join(COLUMNS)
GOOD = [
    "H-1,2016-01-05T08:30,opinion,reclamo,llamada_127,HG,tiempo_espera,,closed,2016-01-09,"
    "Esperé cuatro horas,Juan Pérez,00000000-0,7123-4567,juan@example.com",
    "H-2,2016-01-06,consulta,,Centro de Llamadas 127,,,citas,closed,2016-01-06,"
    "¿Cómo saco cita?,,,,",
    "H-3,2016-02-01,Opinión,Queja,buzon,UM-ZAC,,,,,Sin medicinas,,,,",
]


def write(tmp_path, lines, name="casos.csv", header=HEADER):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_cases", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return str(error), out.getvalue(), err.getvalue()
    return None, out.getvalue(), err.getvalue()


def test_a_csv_becomes_cases_with_their_history(db, tmp_path, analyst):
    error, out, _err = run(write(tmp_path, GOOD), "--user", analyst.username)
    assert error is None
    assert "3 filas leídas, 3 casos importados" in out
    claim = Case.objects.get(external_id="H-1")
    assert claim.kind == CaseKind.OPINION
    assert claim.opinion_type.code == "reclamo"
    assert claim.dependency.code == "HG"
    assert claim.level_of_care == "hospital"
    assert claim.limitante.code == "tiempo_espera"
    assert claim.status == CaseStatus.CLOSED
    assert claim.received_at == datetime(2016, 1, 5, 8, 30, tzinfo=SV)  # local time
    assert claim.closed_at == datetime(2016, 1, 9, tzinfo=SV)
    assert claim.citizen_phone == "+50371234567"
    assert claim.created_by == analyst
    assert len(claim.tracking_code) == 10
    event = CaseEvent.objects.get(case=claim)
    assert event.kind == EventKind.IMPORTED
    assert event.actor == analyst
    assert event.to_status == CaseStatus.CLOSED
    assert event.changes["external_id"]["to"] == "H-1"
    assert event.changes["source"]["to"] == "casos.csv:2"
    # Spanish names stand for codes; a closing date on the day received keeps the hour.
    inquiry = Case.objects.get(external_id="H-2")
    assert inquiry.channel.code == "llamada_127"
    assert inquiry.topic.code == "citas"
    assert inquiry.closed_at == inquiry.received_at
    # An open case is followed like any other: it has its deadlines.
    complaint = Case.objects.get(external_id="H-3")
    assert complaint.status == CaseStatus.RECEIVED
    assert complaint.opinion_type.code == "queja"
    assert CaseDeadline.objects.filter(case=complaint).exists()
    assert complaint.next_due_on is not None


def test_the_free_text_search_finds_imported_cases(db, tmp_path, client_for, resolution):
    run(write(tmp_path, GOOD))
    page = client_for(resolution).get("/casos/", {"q": "medicinas"})
    assert page.status_code == 200
    assert Case.objects.get(external_id="H-3").display_code in page.content.decode()


def test_importing_the_same_file_again_adds_nothing(db, tmp_path):
    path = write(tmp_path, GOOD)
    run(path)
    error, out, _err = run(path)
    assert error is None
    assert "0 casos importados, 3 ya importados" in out
    assert Case.objects.count() == 3
    assert CaseEvent.objects.count() == 3


BAD = [
    "B-1,2016-13-05,opinion,reclamo,llamada_127,HG,,,closed,2016-01-09,x,,12345678-9,123,no-mail",
    "B-2,2030-01-06,consulta,reclamo,fax,ZZZ,,citas,,,x,,,,",
    "B-3,2016-02-01,opinion,Queja,buzon,UM-ZAC,,,closed,2016-01-01,,,,,",
    "B-4,2016-02-01,opinion,,buzon,,,,,,,,,,",
    "B-5,2016-02-01,opinion",
]


def test_all_or_nothing_names_every_bad_row_and_imports_nothing(db, tmp_path):
    error, _out, err = run(write(tmp_path, [*GOOD, *BAD, GOOD[0].replace("H-1", "H-9")]))
    assert error is not None
    assert "No se importó nada" in error
    assert Case.objects.count() == 0
    lines = err.splitlines()
    expected = [
        ("línea 5, columna received_at", "no es una fecha"),
        ("línea 5, columna citizen_dui", "dígito verificador"),
        ("línea 5, columna citizen_phone", "teléfono"),
        ("línea 5, columna citizen_email", "correo"),
        ("línea 6, columna received_at", "futuro"),
        ("línea 6, columna channel", "fax"),
        ("línea 6, columna dependency_code", "ZZZ"),
        ("línea 6, columna opinion_type", "Solo las opiniones"),
        ("línea 7, columna closed_at", "antes de"),
        ("línea 8, columna opinion_type", "tipo"),
        ("línea 9", "3 campos"),
    ]
    for where, reason in expected:
        assert any(where in line and reason in line for line in lines), (where, reason, err)


def test_skip_invalid_imports_the_good_rows_and_writes_the_rejected(db, tmp_path):
    path = write(tmp_path, [*GOOD, *BAD, GOOD[0]])  # the last one repeats H-1
    rejected = tmp_path / "rechazadas.csv"
    error, out, _err = run(path, "--skip-invalid", "--rejected", str(rejected))
    assert error is None
    assert "3 casos importados" in out
    assert "6 filas rechazadas" in out
    assert set(Case.objects.values_list("external_id", flat=True)) == {"H-1", "H-2", "H-3"}
    with rejected.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["line"] for row in rows] == ["5", "6", "7", "8", "9", "10"]
    assert rows[0]["external_id"] == "B-1"
    assert "citizen_dui" in rows[0]["reasons"]
    assert "ya aparece en la línea 2" in rows[-1]["reasons"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("external_id,received_at,kind", "Faltan las columnas: opinion_type"),
        (HEADER + ",extra", "columna extra"),
        (HEADER.replace("channel", "kind"), "columna kind"),
    ],
)
def test_a_wrong_header_imports_nothing(db, tmp_path, header, message):
    error, _out, err = run(write(tmp_path, GOOD, header=header))
    assert error is not None
    assert message in err
    assert Case.objects.count() == 0


def test_broken_files_get_a_clear_message(db, tmp_path):
    broken = tmp_path / "roto.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    error, _out, err = run(broken)
    assert error == "No se importó nada."
    assert "no es un libro XLSX válido" in err
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((HEADER + "\n" + GOOD[0] + "\n").encode("latin-1"))
    error, _out, err = run(latin1)
    assert "no es texto UTF-8" in err
    empty = tmp_path / "vacio.csv"
    empty.write_bytes(b"")
    _error, _out, err = run(empty)
    assert "está vacío" in err
    assert Case.objects.count() == 0


def test_semicolons_as_a_spanish_excel_saves_them(db, tmp_path):
    lines = [GOOD[2].replace(",", ";")]
    error, _out, _err = run(write(tmp_path, lines, header=HEADER.replace(",", ";")))
    assert error is None
    assert Case.objects.get(external_id="H-3").dependency.code == "UM-ZAC"


def test_an_xlsx_with_real_dates_and_a_dui_typed_as_a_number(db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    row = dict.fromkeys(COLUMNS, None)
    row.update(
        external_id="X-1",
        received_at=datetime(2016, 3, 1, 9, 15),
        kind="opinion",
        opinion_type="sugerencia",
        channel="buzon",
        dependency_code="HG",
        status="Cerrado",
        closed_at=datetime(2016, 3, 8, 10, 0),
        description="Más bancas en la sala de espera",
        citizen_dui=23456783,  # 02345678-3 with its leading zero lost
    )
    sheet.append([row[c] for c in COLUMNS])
    sheet.append([None] * len(COLUMNS))  # blank rows are skipped
    path = tmp_path / "historia.xlsx"
    book.save(path)
    error, _out, _err = run(path)
    assert error is None
    case = Case.objects.get(external_id="X-1")
    assert case.received_at == datetime(2016, 3, 1, 9, 15, tzinfo=SV)
    assert case.status == CaseStatus.CLOSED
    assert case.citizen_dui == "02345678-3"


def test_an_external_id_twice_in_one_file(db, tmp_path):
    error, _out, err = run(write(tmp_path, [GOOD[0], GOOD[1].replace("H-2", "H-1")]))
    assert error is not None
    assert "línea 3, columna external_id: El identificador externo H-1 ya aparece" in err
    assert Case.objects.count() == 0


def test_a_line_too_long_to_be_a_case_stops_the_import_without_reading_it_all(db, tmp_path):
    # A file that is one enormous line (a binary dump, a broken export) is refused at the
    # line's first megabyte instead of being read into memory.
    path = tmp_path / "enorme.csv"
    with path.open("w", encoding="utf-8") as stream:
        stream.write(HEADER + "\n" + GOOD[0] + "\n")
        stream.write("H-2,2016-01-06,consulta,,llamada_127,,,citas,,," + "x" * 3_000_000 + "\n")
    error, _out, err = run(path)
    assert error is not None
    assert "línea 3: La línea es demasiado larga." in err
    assert Case.objects.count() == 0
