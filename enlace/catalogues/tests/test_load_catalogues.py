"""The catalogues loaded from enlace/catalogues/data/catalogues.toml."""

import pytest
from django.core.management import call_command

from enlace.catalogues.models import Channel, InquiryTopic, Limitante, OpinionType
from enlace.catalogues.queries import resolve_entry

CHANNELS = {
    "llamada_127": "centro_llamadas",
    "buzon": "buzon",
    "facebook": "redes_sociales",
    "twitter": "redes_sociales",
    "whatsapp": "redes_sociales",
    "youtube": "redes_sociales",
    "correo": "sitio_web",
    "sitio_web": "sitio_web",
    "depto_atencion": "depto_atencion",
    "punto_seguro": "punto_seguro",
    "oir": "oir",
    "otro": "otros",
}


@pytest.mark.django_db
def test_every_channel_has_its_report_group():
    assert dict(Channel.objects.values_list("code", "report_group")) == CHANNELS


@pytest.mark.django_db
def test_the_six_opinion_types_of_the_seeds_are_there():
    assert set(OpinionType.objects.values_list("code", flat=True)) == {
        "reclamo",
        "queja",
        "sugerencia",
        "denuncia",
        "peticion",
        "felicitacion",
    }


@pytest.mark.django_db
def test_limitantes_and_topics_cover_the_seeds():
    limitantes = set(Limitante.objects.values_list("code", flat=True))
    assert {
        "tiempo_espera",
        "trato_personal",
        "falta_medicamento",
        "demora_citas",
        "infraestructura",
    } <= limitantes
    topics = set(InquiryTopic.objects.values_list("code", flat=True))
    assert {
        "portafolio_servicios",
        "horarios",
        "requisitos",
        "citas",
        "incapacidades",
        "pensiones",
    } <= topics


@pytest.mark.django_db
def test_loading_again_duplicates_nothing():
    counts = [m.objects.count() for m in (Channel, OpinionType, Limitante, InquiryTopic)]
    call_command("load_catalogues", verbosity=0)
    assert [m.objects.count() for m in (Channel, OpinionType, Limitante, InquiryTopic)] == counts


@pytest.mark.django_db
def test_an_inactive_entry_is_not_offered():
    assert resolve_entry(Limitante, "infraestructura") is not None
    entry = Limitante.objects.get(code="infraestructura")
    entry.is_active = False
    entry.save()  # as the admin does: the reference data in memory is reloaded
    assert resolve_entry(Limitante, "infraestructura") is None
    assert resolve_entry(Limitante, "Tiempo de espera prolongado").code == "tiempo_espera"


@pytest.mark.django_db
def test_catalogues_are_editable_in_the_admin(admin_user, client_for):
    client = client_for(admin_user)
    channel = Channel.objects.get(code="whatsapp")
    response = client.get(f"/admin/catalogues/channel/{channel.pk}/change/")
    assert response.status_code == 200
    assert client.get("/admin/directory/dependency/?q=zacamil").status_code == 200


@pytest.mark.django_db
def test_the_admin_is_refused_to_staff_without_rights(resolution, client_for):
    response = client_for(resolution).get("/admin/catalogues/channel/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
