"""Routing suggestions, answer templates and the duplicate flag."""

import pytest

from enlace.cases.models import AnswerTemplate, RoutingRule
from enlace.cases.routing import render_template, suggest_route, templates_for
from enlace.catalogues.models import OpinionType
from enlace.directory.models import Dependency


@pytest.mark.django_db
def test_the_first_matching_rule_names_the_dependency(make_case):
    audit = Dependency.objects.get(code="UVE-SARU")
    um = Dependency.objects.get(code="UM-ZAC")
    denuncia = OpinionType.objects.get(code="denuncia")
    RoutingRule.objects.create(order=10, opinion_type=denuncia, route_to=audit)
    RoutingRule.objects.create(order=20, dependency=Dependency.objects.get(code="HG"), route_to=um)
    assert suggest_route(make_case(type="denuncia", centre="HG")) == audit
    assert suggest_route(make_case(type="queja", centre="HG")) == um
    # No rule: the centre the case is about.
    assert suggest_route(make_case(type="queja", centre="HAMA")).code == "HAMA"


@pytest.mark.django_db
def test_inactive_rules_are_ignored(make_case):
    RoutingRule.objects.create(route_to=Dependency.objects.get(code="UM-ZAC"), is_active=False)
    assert suggest_route(make_case(centre="HG")).code == "HG"


@pytest.mark.django_db
def test_templates_fill_their_placeholders(make_case):
    case = make_case(type="queja", centre="HG", citizen={"name": "Ana López"})
    body = "Estimada {nombre}: sobre su {tipo} {codigo} en {centro}, {desconocido}."
    text = render_template(body, case)
    assert text == (
        f"Estimada Ana López: sobre su queja {case.display_code} en Hospital General, "
        "{desconocido}."
    )
    assert render_template("Llave suelta { sin cerrar", case) == "Llave suelta { sin cerrar"


@pytest.mark.django_db
def test_templates_are_offered_by_opinion_type(make_case):
    general = AnswerTemplate.objects.create(name="General", body="x")
    claims = AnswerTemplate.objects.create(
        name="Reclamos", body="y", opinion_type=OpinionType.objects.get(code="reclamo")
    )
    AnswerTemplate.objects.create(name="Vieja", body="z", is_active=False)
    assert set(templates_for(make_case(type="reclamo"))) == {general, claims}
    assert set(templates_for(make_case(type="queja"))) == {general}


@pytest.mark.django_db
def test_a_second_opinion_of_the_same_person_and_centre_is_flagged(make_case):
    person = {"name": "Ana", "dui": "00016297-5"}
    first = make_case(centre="HG", citizen=person)
    second = make_case(centre="HG", citizen=person)
    other_centre = make_case(centre="UM-ZAC", citizen=person)
    assert second.possible_duplicate_of == first
    assert other_centre.possible_duplicate_of is None
    assert first.possible_duplicate_of is None


@pytest.mark.django_db
def test_the_answer_form_offers_templates_filled_for_the_case(make_case, resolution, client_for):
    from django.urls import reverse

    case = make_case(type="reclamo", centre="HG", citizen={"name": "Ana"})
    template = AnswerTemplate.objects.create(name="Medicamento", body="Estimada {nombre}: {codigo}")
    page = client_for(resolution).get(reverse("cases:detail", args=[case.pk]))
    html = page.content.decode()
    assert 'data-answer-templates="answer"' in html
    assert f'"{template.pk}": "Estimada Ana: {case.display_code}"' in html
    # Choosing a template is not stored: the answer posted is what counts.
    response = client_for(resolution).post(
        reverse("cases:action", args=[case.pk, "responder"]),
        {"template": str(template.pk), "answer": "Texto final"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.answer == "Texto final"


@pytest.mark.django_db
def test_the_assign_form_is_prefilled_with_the_suggestion(make_case, resolution, client_for):
    from django.urls import reverse

    um = Dependency.objects.get(code="UM-ZAC")
    RoutingRule.objects.create(opinion_type=OpinionType.objects.get(code="queja"), route_to=um)
    case = make_case(type="queja", centre="HG")
    page = client_for(resolution).get(reverse("cases:detail", args=[case.pk]))
    assign = next(item for item in page.context["actions"] if item.slug == "asignar")
    assert assign.form.initial["dependency"] == um.label
