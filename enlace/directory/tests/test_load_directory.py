"""The organisation tree loaded from enlace/directory/data/directory.toml."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from enlace.directory.models import Dependency
from enlace.directory.queries import descendant_ids, resolve_dependency

# The 22 Punto Seguro locations listed in seed 003.
PUNTO_SEGURO = {
    "Hospital Médico Quirúrgico y Oncológico",
    "Hospital General",
    "Hospital 1° de Mayo",
    "Hospital Amatepec",
    "Hospital Policlínico Roma",
    "Hospital Regional de Sonsonate",
    "Hospital Policlínico Arce",
    "Hospital Regional de Santa Ana",
    "Unidad Médica San Miguel",
    "Unidad Médica Atlacatl",
    "Unidad Médica San Jacinto",
    "Unidad Médica 15 de Septiembre",
    "Unidad Médica Apopa",
    "Unidad Médica Soyapango",
    "Unidad Médica Ilopango",
    "Unidad Médica Santa Tecla",
    "Unidad Médica Zacamil",
    "Torre Administrativa",
    "Unidad Médica Quezaltepeque",
    "Unidad de Medicina Física y Rehabilitación",
    "Consultorio de Especialidades",
    "Unidad Médica Santa Ana",
}


@pytest.mark.django_db
def test_every_punto_seguro_of_the_seeds_is_there():
    names = set(Dependency.objects.filter(has_punto_seguro=True).values_list("name", flat=True))
    assert names == PUNTO_SEGURO


@pytest.mark.django_db
def test_the_units_of_the_seeds_form_a_tree():
    section = Dependency.objects.get(name="Sección Atención y Resolución al Usuario")
    assert section.parent.name == "Departamento Atención al Usuario"
    assert section.parent.parent.name == "Unidad de Vinculación Estratégica"
    assert section.parent.parent.parent.name == "Dirección General"
    assert Dependency.objects.get(code="UCAU-SPR").parent.code == "UCAU-DC"
    assert Dependency.objects.get(code="CD").parent is None


@pytest.mark.django_db
def test_every_level_of_care_has_centres():
    levels = set(Dependency.objects.care_centres().values_list("level_of_care", flat=True))
    assert levels == {"hospital", "unidad_medica", "clinica_comunal", "administrativo"}


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_duplicates_nothing():
    before = list(Dependency.objects.order_by("code").values())
    out = StringIO()
    call_command("load_directory", stdout=out)
    assert "0 created" in out.getvalue()
    assert list(Dependency.objects.order_by("code").values()) == before


@pytest.mark.django_db
def test_loading_restores_an_edited_name_and_keeps_the_row():
    hg = Dependency.objects.get(code="HG")
    Dependency.objects.filter(pk=hg.pk).update(name="Otro nombre")
    call_command("load_directory", verbosity=0)
    assert Dependency.objects.get(code="HG") == hg
    assert Dependency.objects.get(code="HG").name == "Hospital General"


@pytest.mark.django_db
def test_a_bad_file_is_refused_and_loads_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[dependency]]\ncode = "NEW"\nname = "Nuevo"\nkind = "care_centre"\n'
        'level_of_care = "hospital"\n\n'
        '[[dependency]]\ncode = "X"\nname = "X"\nkind = "planet"\nlevel_of_care = "hospital"\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="unknown kind"):
        call_command("load_directory", file=bad)
    assert not Dependency.objects.filter(code="NEW").exists()


@pytest.mark.django_db
def test_descendants_include_the_whole_branch():
    dau = Dependency.objects.get(code="UVE-DAU")
    codes = set(
        Dependency.objects.filter(pk__in=descendant_ids(dau.pk)).values_list("code", flat=True)
    )
    assert codes == {"UVE-DAU", "UVE-SARU", "UVE-SCL"}


@pytest.mark.django_db
def test_a_centre_is_found_by_code_name_or_label():
    hg = Dependency.objects.get(code="HG")
    assert resolve_dependency("hg") == hg
    assert resolve_dependency("hospital general") == hg
    assert resolve_dependency("Hospital General [HG]") == hg
    assert resolve_dependency("Hospital de Marte") is None
    assert resolve_dependency("") is None
