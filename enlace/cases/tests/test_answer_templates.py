"""The Spanish answer templates of enlace/catalogues/data/answer_templates.toml: `load_catalogues`
adds them (at least one per opinion type, one for every case), never twice and never over an
office's edits; each fills its placeholders for a case, and the answer step offers them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import AnswerTemplate
from enlace.cases.routing import render_template, templates_for
from enlace.catalogues.loading import read_answer_templates
from enlace.catalogues.models import OpinionType
from enlace.core.errors import BusinessError

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_catalogues", stdout=out)
    return out.getvalue()


def test_migrate_adds_none_and_load_catalogues_one_per_opinion_type_at_least():
    assert not AnswerTemplate.objects.exists()  # a test database is migrated: none from it
    output = load()
    entries = read_answer_templates()
    assert f"answer_template: {len(entries)} created." in output
    for opinion_type in OpinionType.objects.active():
        assert AnswerTemplate.objects.filter(opinion_type=opinion_type, is_active=True).exists(), (
            opinion_type.code
        )
    assert AnswerTemplate.objects.filter(opinion_type__isnull=True, is_active=True).exists()


def test_loading_again_adds_nothing_and_keeps_the_offices_edits():
    load()
    count = AnswerTemplate.objects.count()
    edited = AnswerTemplate.objects.get(name="Queja: atención recibida")
    edited.body = "Texto propio de la oficina: {codigo}."
    edited.is_active = False
    edited.save()
    assert "answer_template: 0 created." in load()
    assert AnswerTemplate.objects.count() == count
    edited.refresh_from_db()
    assert (edited.body, edited.is_active) == ("Texto propio de la oficina: {codigo}.", False)
    # A deleted one comes back only when the command is run, as the catalogues' entries do.
    edited.delete()
    assert "answer_template: 1 created." in load()


@pytest.mark.parametrize("code", ["reclamo", "queja", "sugerencia", "denuncia", "peticion"])
def test_each_template_fills_its_placeholders_for_a_case(make_case, code):
    load()
    case = make_case(type=code, centre="HG", citizen={"name": "Ana López"})
    offered = list(templates_for(case))
    assert {t.opinion_type_id for t in offered} == {None, case.opinion_type_id}
    for template in offered:
        text = render_template(template.body, case)
        assert "{" not in text, template.name
        assert "}" not in text, template.name
        assert case.display_code in text
        assert "Ana López" in text
        if template.opinion_type_id:
            assert "Hospital General" in text
            received = timezone.localtime(case.received_at).strftime("%d/%m/%Y")
            assert received in text


def test_an_anonymous_praise_is_answered_without_a_name(make_case):
    load()
    case = make_case(type="felicitacion", centre="UM-ZAC", limitante=None)
    [template] = [t for t in templates_for(case) if t.opinion_type_id]
    text = render_template(template.body, case)
    assert text.startswith("Muchas gracias por tomarse el tiempo de felicitar al personal de ")
    assert "Unidad Médica Zacamil" in text
    assert "usuario(a)" in text
    assert case.display_code in text


def test_an_inquiry_is_offered_the_general_template_only(make_case):
    load()
    case = make_case(CaseKind.INQUIRY, citizen={"name": "Luis"})
    [template] = templates_for(case)
    assert template.opinion_type is None
    text = render_template(template.body, case)
    assert case.display_code in text
    assert "Luis" in text
    assert "{" not in text


def test_the_answer_step_offers_them_filled_in(make_case, resolution, client_for):
    load()
    case = make_case(type="reclamo", centre="HG", citizen={"name": "Ana López"})
    html = client_for(resolution).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-answer-templates="answer"' in html
    assert "Reclamo: medidas adoptadas" in html
    assert "Hemos recibido su reclamo sobre Hospital General" in html


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[answer_template]]\nname = "A"\nbody = "x"\nopinion_type = "otro"\n', "unknown opinion"),
        ('[[answer_template]]\nname = "A"\nbody = "Hola {persona}"\n', "unknown placeholders"),
        ('[[answer_template]]\nname = "A"\nbody = "Hola {nombre"\n', "answer_template 1"),
        ('[[answer_template]]\nname = "A"\nbody = ""\n', "a name and a body"),
        ('[[answer_template]]\nname = "A"\nbody = "x"\n\n' * 2, "used twice"),
        ('[[plantilla]]\nname = "A"\nbody = "x"\n', "unknown sections"),
    ],
)
def test_a_wrong_file_is_refused_whole(tmp_path, text, problem):
    bad = tmp_path / "answer_templates.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(BusinessError, match=problem):
        read_answer_templates(bad)
    assert not AnswerTemplate.objects.exists()


def test_the_command_reports_a_wrong_file(monkeypatch, tmp_path):
    from enlace.cases import answer_templates

    bad = tmp_path / "answer_templates.toml"
    bad.write_text('[[answer_template]]\nname = "A"\nbody = "{x}"\n', encoding="utf-8")
    monkeypatch.setattr(answer_templates, "ANSWER_TEMPLATES_FILE", bad)
    with pytest.raises(CommandError, match="unknown placeholders x"):
        call_command("load_catalogues", stdout=StringIO())
    assert not AnswerTemplate.objects.exists()
