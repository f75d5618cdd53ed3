"""El Salvador's 262 municipalities loaded from enlace/directory/data/municipalities.toml, and
the look-up by name that imports use."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from enlace.core.errors import BusinessError
from enlace.directory.loading import load_municipalities
from enlace.directory.models import Municipality
from enlace.directory.queries import AmbiguousMunicipality, municipality_by_name

COUNTS = {
    "AH": 12,
    "SA": 13,
    "SO": 16,
    "CH": 33,
    "LI": 22,
    "SS": 19,
    "CU": 16,
    "PA": 22,
    "CA": 9,
    "SV": 13,
    "US": 23,
    "SM": 20,
    "MO": 26,
    "UN": 18,
}


@pytest.fixture
def municipalities(db):
    load_municipalities()


def _values():
    return list(Municipality.objects.order_by("code").values_list("code", "name", "department"))


@pytest.mark.usefixtures("municipalities")
def test_all_262_are_there_with_each_department_s_count():
    assert Municipality.objects.count() == 262
    counts = dict(
        Municipality.objects.values("department")
        .annotate(n=Count("id"))
        .values_list("department", "n")
    )
    assert counts == COUNTS


@pytest.mark.usefixtures("municipalities")
def test_codes_start_with_the_department_s_number_and_count_from_01():
    codes = set(Municipality.objects.values_list("code", flat=True))
    for number, (department, count) in enumerate(COUNTS.items(), start=1):
        expected = {f"{number:02d}{n:02d}" for n in range(1, count + 1)}
        assert expected <= codes, department
    # Some well-known official (DIGESTYC) codes.
    assert Municipality.objects.get(code="0614").name == "San Salvador"
    assert Municipality.objects.get(code="0210").name == "Santa Ana"
    assert Municipality.objects.get(code="0511").name == "Santa Tecla"
    assert Municipality.objects.get(code="1217").name == "San Miguel"


@pytest.mark.usefixtures("municipalities")
def test_names_are_written_with_their_accents():
    names = set(Municipality.objects.values_list("name", flat=True))
    for name in [
        "Huizúcar",
        "San Pedro Perulapán",
        "Ciudad Arce",
        "Chalchuapa",
        "El Paisnal",
        "Santiago Nonualco",
        "San Rafael Cedros",
        "Zacatecoluca",
        "Olocuilta",
        "Zaragoza",
        "San Martín",
        "Ilobasco",
        "Ahuachapán",
        "Usulután",
        "La Unión",
    ]:
        assert name in names


@pytest.mark.usefixtures("municipalities")
def test_loading_again_changes_nothing():
    before = list(Municipality.objects.order_by("code").values())
    assert load_municipalities() == (0, 0)
    assert list(Municipality.objects.order_by("code").values()) == before


@pytest.mark.usefixtures("municipalities")
def test_loading_restores_an_edited_row_and_keeps_it():
    row = Municipality.objects.get(code="0613")
    Municipality.objects.filter(pk=row.pk).update(name="Otro nombre", department="SA")
    assert load_municipalities() == (0, 1)
    assert Municipality.objects.get(pk=row.pk).name == "San Martín"
    assert Municipality.objects.get(pk=row.pk).department == "SS"


@pytest.mark.usefixtures("municipalities")
def test_two_rows_that_swapped_names_are_put_back():
    Municipality.objects.filter(code="0101").update(name="#")
    Municipality.objects.filter(code="0102").update(name="Ahuachapán")
    Municipality.objects.filter(code="0101").update(name="Apaneca")
    assert load_municipalities() == (0, 2)
    assert Municipality.objects.get(code="0101").name == "Ahuachapán"
    assert Municipality.objects.get(code="0102").name == "Apaneca"


@pytest.mark.usefixtures("municipalities")
def test_without_update_existing_edits_are_kept_and_missing_rows_created():
    Municipality.objects.filter(code="0613").update(name="Otro nombre")
    Municipality.objects.filter(code="1418").delete()
    assert load_municipalities(update_existing=False) == (1, 0)
    assert Municipality.objects.get(code="0613").name == "Otro nombre"
    assert Municipality.objects.get(code="1418").name == "Yucuaiquín"


@pytest.mark.django_db
def test_the_command_loads_them_after_the_dependencies():
    Municipality.objects.all().delete()
    out = StringIO()
    call_command("load_directory", stdout=out)
    assert "Municipalities: 262 created, 0 updated." in out.getvalue()
    out = StringIO()
    call_command("load_directory", stdout=out)
    assert "Municipalities: 0 created, 0 updated." in out.getvalue()


@pytest.mark.usefixtures("municipalities")
@pytest.mark.parametrize(
    ("typed", "department", "code"),
    [
        ("Huizúcar", None, "0506"),
        ("huizucar", None, "0506"),
        ("  HUIZUCAR ", None, "0506"),
        ("San  Martin", None, "0613"),
        ("mercedes umana", None, "1111"),
        ("LA UNION", "UN", "1408"),
        ("El Rosario", "CU", "0704"),
        ("el rosario", "La Paz", "0802"),
        ("El Rosario", "morazan", "1307"),
        ("San Lorenzo", "SV-SV", "1008"),
    ],
)
def test_a_municipality_is_found_by_its_name_with_or_without_accents(typed, department, code):
    assert municipality_by_name(typed, department).code == code


@pytest.mark.usefixtures("municipalities")
def test_a_name_shared_by_departments_needs_one():
    with pytest.raises(AmbiguousMunicipality) as raised:
        municipality_by_name("el rosario")
    assert {m.department for m in raised.value.candidates} == {"CU", "PA", "MO"}
    assert "Cuscatlán" in str(raised.value)
    assert "Morazán" in str(raised.value)


@pytest.mark.usefixtures("municipalities")
def test_an_unknown_name_or_department():
    assert municipality_by_name("Gotham") is None
    assert municipality_by_name("") is None
    assert municipality_by_name("Zacatecoluca", "SS") is None
    with pytest.raises(BusinessError, match="no es un departamento"):
        municipality_by_name("Zacatecoluca", "Atlántida")


@pytest.mark.usefixtures("municipalities")
def test_the_look_up_sees_a_change_of_the_table():
    assert municipality_by_name("Ahuachapan").name == "Ahuachapán"
    Municipality.objects.get(code="0101").delete()
    assert municipality_by_name("Ahuachapan") is None


def _write(tmp_path, *entries):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "municipality = [\n" + "".join(f"  {entry},\n" for entry in entries) + "]\n",
        encoding="utf-8",
    )
    return bad


# A valid entry first: the whole file is checked before anything is written.
FIRST = '{ code = "1499", name = "Nueva", department = "UN" }'


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            '{ code = "0101", name = "Uno", department = "XX" }',
            r"bad\.toml municipality 2 \(0101 Uno\): unknown department 'XX'",
        ),
        (
            '{ code = "0201", name = "Uno", department = "AH" }',
            r"municipality 2 \(0201 Uno\): the code must start with 01",
        ),
        (
            '{ code = "101", name = "Uno", department = "AH" }',
            r"municipality 2 \(101 Uno\): the code must be 4 digits",
        ),
        (
            '{ code = "1499", name = "Otra", department = "UN" }',
            r"municipality 2 \(1499 Otra\): code 1499 already used by entry 1",
        ),
        (
            '{ code = "1498", name = "  NUEVA ", department = "UN" }',
            r"municipality 2 \(1498 NUEVA\): name already used in department UN by entry 1",
        ),
        (
            '{ code = "0101", department = "AH" }',
            r"municipality 2 \(0101\): a name is required",
        ),
        (
            '{ code = "0101", name = "Uno", department = "AH", dept = "AH" }',
            r"municipality 2 \(0101 Uno\): unknown field dept",
        ),
    ],
)
def test_a_bad_entry_is_named_and_nothing_is_loaded(tmp_path, entry, message):
    bad = _write(tmp_path, FIRST, entry)
    with pytest.raises(BusinessError, match=message):
        load_municipalities(bad)
    assert not Municipality.objects.filter(code="1499").exists()


@pytest.mark.usefixtures("municipalities")
def test_a_name_kept_under_a_code_the_file_dropped_is_refused(tmp_path):
    Municipality.objects.filter(code="1418").update(code="1499")
    with pytest.raises(BusinessError, match=r"1418 Yucuaiquín: .* under code 1499"):
        load_municipalities()
    assert not Municipality.objects.filter(code="1418").exists()


@pytest.mark.django_db
def test_the_command_refuses_a_bad_file(tmp_path):
    bad = _write(tmp_path, '{ code = "0101", name = "Uno", department = "XX" }')
    with pytest.raises(CommandError, match="unknown department"):
        call_command("load_directory", municipalities_file=bad, verbosity=0)


@pytest.mark.usefixtures("municipalities")
def test_the_admin_lists_them_read_only_and_finds_names_without_accents(admin_user, client_for):
    client = client_for(admin_user)
    page = client.get("/admin/directory/municipality/", {"q": "huizucar"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [Municipality.objects.get(code="0506")]
    page = client.get("/admin/directory/municipality/", {"department__exact": "CA"})
    assert page.context["cl"].result_count == 9
    assert client.get("/admin/directory/municipality/add/").status_code == 403
    row = Municipality.objects.get(code="0506")
    assert client.post(f"/admin/directory/municipality/{row.pk}/change/", {}).status_code == 403
