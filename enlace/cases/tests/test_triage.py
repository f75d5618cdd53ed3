"""Cases that arrive to classify (from WhatsApp, e-mail, ...) and their triage in the console."""

import pytest

from enlace.cases.actions import NewCase, do_register_case
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.catalogues.models import Channel


@pytest.fixture
def unclassified(db):
    case, _ = do_register_case(
        NewCase(
            kind=CaseKind.OPINION,
            channel=Channel.objects.get(code="whatsapp"),
            description="Me cobraron una consulta que es gratuita <script>alert(1)</script>",
            to_classify=True,
        ),
        acting_user=None,
    )
    return case


def test_the_case_page_offers_triage_for_a_case_to_classify(unclassified, client_for, resolution):
    page = client_for(resolution).get(f"/casos/{unclassified.pk}/").content.decode()
    assert f"/casos/{unclassified.pk}/triaje/" in page
    assert f"/casos/{unclassified.pk}/clasificar/" not in page
    assert "<script>alert(1)</script>" not in page  # the citizen's text is inert
    assert "&lt;script&gt;" in page


def test_triage_through_the_console(unclassified, client_for, resolution):
    url = f"/casos/{unclassified.pk}/triaje/"
    client = client_for(resolution)
    missing = client.post(url, {"kind": "opinion", "opinion_type": "denuncia"})
    assert missing.status_code == 400
    assert Case.objects.get(pk=unclassified.pk).to_classify
    done = client.post(
        url, {"kind": "opinion", "opinion_type": "denuncia", "dependency": "HG", "note": "x"}
    )
    assert done.status_code == 302
    case = Case.objects.get(pk=unclassified.pk)
    assert not case.to_classify
    assert (case.opinion_type.code, case.dependency.code) == ("denuncia", "HG")
    # Once classified, triage is no longer offered: nothing changes.
    assert client.post(url, {"kind": "consulta", "topic": "citas"}).status_code == 400
    assert Case.objects.get(pk=unclassified.pk).kind == "opinion"


def test_triage_is_refused_to_other_roles_and_centres(unclassified, client_for, agent, outsider):
    url = f"/casos/{unclassified.pk}/triaje/"
    data = {"kind": "consulta", "topic": "citas"}
    assert client_for(agent).post(url, data).status_code == 403
    assert client_for(outsider).post(url, data).status_code == 404
    assert Case.objects.get(pk=unclassified.pk).to_classify
