"""The case page as a helpdesk: a side panel of what the case is, one conversation, and one box
of steps as tabs (what is written first, then the next step, the rare ones under "More"). The
staff attach files to an answer or a proposal: kept with the history row they came with,
listed, downloaded by who sees the case only, sent with the answer's e-mail."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from enlace.cases import actions
from enlace.cases.files import Upload, answer_files
from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import AnswerTemplate, CaseEvent, CaseFile, EventKind
from enlace.channels import attachments
from enlace.notifications.models import Notification, NotificationKind

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def detail(case):
    return reverse("cases:detail", args=[case.pk])


def step(case, slug):
    return reverse("cases:action", args=[case.pk, slug])


def file_url(case, case_file):
    return reverse("cases:file", args=[case.pk, case_file.pk])


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def assigned(make_case, resolution):
    case = make_case(centre="HG", type="queja", citizen={"name": "Ana", "dui": "00016297-5"})
    return actions.do_assign_case(case, case.dependency, acting_user=resolution)


# --- Files on an answer and a proposal --------------------------------------------------------
def test_an_answers_files_are_kept_with_its_event_and_downloaded_by_who_sees_the_case(
    make_case, resolution, liaison, outsider, client_for, client
):
    case = make_case(centre="HG", type="queja")
    response = client_for(resolution).post(
        step(case, "responder"),
        {
            "answer": "Le adjuntamos la constancia.",
            # The name and the type sent say nothing: the content does.
            "files": [upload("constancia.pdf", PDF, "text/plain"), upload("foto.bin", PNG)],
        },
    )
    assert response.status_code == 302
    answered = CaseEvent.objects.get(case=case, kind=EventKind.ANSWERED)
    files = list(CaseFile.objects.filter(case=case).order_by("id"))
    assert [(f.name, f.content_type, f.size, f.event_id) for f in files] == [
        ("constancia.pdf", "application/pdf", len(PDF), answered.pk),
        ("foto.bin", "image/png", len(PNG), answered.pk),
    ]
    assert files[0].file.name.endswith(f"{files[0].sha256}.pdf")
    assert files[0].uploaded_by == resolution

    # The liaison of the case's centre sees them in the side panel and under the answer.
    page = client_for(liaison).get(detail(case))
    html = page.content.decode()
    assert html.count(file_url(case, files[0])) == 2
    item = next(i for i in page.context["timeline_items"] if i.event.pk == answered.pk)
    assert list(item.files) == files
    download = client_for(liaison).get(file_url(case, files[0]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "constancia.pdf" in download["Content-Disposition"]
    assert "sandbox" in download["Content-Security-Policy"]
    assert download["Cache-Control"] == "private, no-store"

    # A liaison of another centre does not learn the case or its files exist; a file is only
    # reachable under its own case; a visitor logs in first.
    assert client_for(outsider).get(file_url(case, files[0])).status_code == 404
    other = make_case(centre="HG", type="reclamo")
    assert client_for(resolution).get(file_url(other, files[0])).status_code == 404
    assert client.get(file_url(case, files[0])).status_code == 302


def test_the_answers_e_mail_carries_the_files_of_the_last_answer(make_case, resolution):
    case = make_case(centre="HG", type="queja", citizen={"email": "ana@example.com"})
    actions.do_answer_case(
        case, "Respuesta", acting_user=resolution, files=[Upload("guia.docx", docx())]
    )
    first_answer = timezone.now()
    assert answer_files(case) == [
        (
            "guia.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    ]
    # Reopened, then closed with a new answer and no file: that e-mail carries none, the first
    # one (queued before) still its own.
    actions.do_reopen_case(
        actions.do_close_case(case, acting_user=resolution),
        "No quedó conforme",
        acting_user=resolution,
    )
    actions.do_close_case(case, "Otra respuesta", acting_user=resolution)
    assert answer_files(case) == []
    assert [name for name, _content, _type in answer_files(case, at=first_answer)] == ["guia.docx"]
    # Each e-mail with an answer, as the notifications' outbox asks for its files (the line
    # enlace/notifications/apps.py registers: the files of the answer it was queued for).
    mails = Notification.objects.filter(case=case, kind=NotificationKind.ANSWER)
    assert [
        [name for name, _content, _type in answer_files(mail.case, at=mail.created_at)]
        for mail in mails.order_by("created_at", "id")
    ] == [["guia.docx"], []]


def test_a_proposals_files_go_with_the_answer_that_approves_it(
    make_case, resolution, liaison, client_for
):
    case = assigned(make_case, resolution)
    response = client_for(liaison).post(
        step(case, "proponer"),
        {
            "answer": "Se repondrá el medicamento.",
            "improvement_action": "Revisar el inventario cada semana.",
            "files": [upload("referencia.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.proposed_answer, case.proposed_action) == (
        "Se repondrá el medicamento.",
        "Revisar el inventario cada semana.",
    )
    proposed = CaseFile.objects.get(case=case)
    assert proposed.event.kind == EventKind.ANSWER_PROPOSED

    # The resolution section is offered to send them with the answer, ticked.
    page = client_for(resolution).get(detail(case))
    form = next(item.form for item in page.context["actions"] if item.slug == "responder")
    assert form["proposal_files"].value() == [str(proposed.pk)]
    assert 'id="id_responder_proposal_files_0"' in page.content.decode()
    response = client_for(resolution).post(
        step(case, "responder"),
        {"answer": "Se repondrá el medicamento.", "proposal_files": [str(proposed.pk)]},
    )
    assert response.status_code == 302
    sent = CaseFile.objects.get(case=case, event__kind=EventKind.ANSWERED)
    assert (sent.name, sent.file.name) == ("referencia.pdf", proposed.file.name)
    assert answer_files(case) == [("referencia.pdf", PDF, "application/pdf")]


def test_a_proposals_file_left_unticked_is_not_sent(make_case, resolution, liaison):
    case = assigned(make_case, resolution)
    actions.do_propose_answer(
        case, "Propuesta", acting_user=liaison, files=[Upload("referencia.pdf", PDF)]
    )
    actions.do_answer_case(case, "Respuesta", acting_user=resolution)
    assert answer_files(case) == []


def spanish(msgid, **params):
    """What the office reads for `msgid` (locale/es; a message added with this page reads in
    Spanish once the catalogue has it)."""
    with translation.override("es"):
        return translation.gettext(msgid) % params


NOT_A_DOCUMENT = "%(name)s is not a PDF, a photo or an office document."


def test_an_erased_cases_files_go_with_it(make_case, resolution, liaison, tmp_path):
    from enlace.cases.files import erase_for_cases

    case = assigned(make_case, resolution)
    actions.do_propose_answer(
        case, "Propuesta", acting_user=liaison, files=[Upload("referencia.pdf", PDF)]
    )
    proposed = CaseFile.objects.get(case=case)
    actions.do_answer_case(case, "Respuesta", acting_user=resolution, proposal_files=[proposed])
    kept = make_case(centre="HG")
    actions.do_answer_case(kept, "Otra", acting_user=resolution, files=[Upload("b.png", PNG)])
    assert erase_for_cases([case.pk]) == 2
    assert list(CaseFile.objects.values_list("case_id", flat=True)) == [kept.pk]
    assert [path.name for path in tmp_path.rglob("*.*")] == [
        CaseFile.objects.get().file.name.rsplit("/", 1)[-1]
    ]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            [upload("receta.pdf", b"<html><script>alert(1)</script></html>")],
            spanish(NOT_A_DOCUMENT, name="receta.pdf"),
        ),
        (
            [upload("programa.exe", b"MZ\x90\x00" + b"\x00" * 60)],
            spanish(NOT_A_DOCUMENT, name="programa.exe"),
        ),
        ([upload("grande.pdf", PDF + b"\x00" * 200)], "grande.pdf pesa más de"),
        ([upload("vacia.pdf", b"")], "está vacío"),
        (
            [upload(f"hoja{n}.pdf", PDF) for n in range(6)],
            spanish("Attach at most %(count)s files.", count=5),
        ),
    ],
)
def test_a_refused_file_is_a_form_error_in_spanish_and_nothing_is_stored(
    files, message, make_case, resolution, client_for, settings, tmp_path
):
    settings.ATTACHMENT_MAX_BYTES = len(PDF) + 100
    case = make_case(centre="HG", type="queja")
    response = client_for(resolution).post(
        step(case, "responder"), {"answer": "Le adjuntamos la receta.", "files": files}
    )
    assert response.status_code == 400
    form = next(item.form for item in response.context["actions"] if item.slug == "responder")
    assert message in " ".join(form.errors["files"])
    assert message in response.content.decode()
    assert response.context["box"].selected == "responder"  # the box shows it again
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    assert not case.events.filter(kind=EventKind.ANSWERED).exists()
    assert not CaseFile.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_the_actions_refuse_a_refused_file_too(make_case, resolution, liaison):
    from enlace.core.errors import BusinessError

    case = assigned(make_case, resolution)
    with pytest.raises(BusinessError) as refused:
        actions.do_propose_answer(
            case, "Propuesta", acting_user=liaison, files=[Upload("nota.txt", b"hola")]
        )
    assert refused.value.field == "files"
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED
    assert not CaseFile.objects.exists()


# --- The box of steps: tabs per role ------------------------------------------------------------
def box_of(client, case):
    page = client.get(detail(case))
    assert page.status_code == 200
    box = page.context["box"]
    return (
        page.content.decode(),
        [i.slug for i in box.messages],
        [i.slug for i in box.steps],
        [i.slug for i in box.more],
        box.selected,
    )


def tab_order(html):
    """The tabs as the page lists them (the script makes them a tablist)."""
    tablist = re.search(r"<ul class=\"step-tabs\" data-tablist.*?</ul>", html, re.S).group(0)
    return re.findall(r'data-tab="([a-z]+)"', tablist)


def test_the_resolution_section_writes_first_then_the_next_step_and_the_rare_ones_under_more(
    make_case, resolution, client_for
):
    case = make_case(centre="HG", type="queja")
    html, messages, steps, more, selected = box_of(client_for(resolution), case)
    assert messages == ["responder", "comentar"]
    assert steps == ["acusar", "evaluar", "asignar", "tomar", "responsable", "cerrar"]
    assert more == ["esperar", "clasificar", "fusionar", "anular"]
    # The internal note is shown first: nothing reaches the citizen by mistake.
    assert selected == "comentar"
    assert tab_order(html) == [*messages, *steps, "mas", *more]
    assert 'data-selected="comentar"' in html
    # The next step is marked; every step's form is on the page (without a script too),
    # each in its panel after the list of tabs.
    assert re.search(r'class="tab tab-step next" href="#paso-acusar"', html)
    for slug in [*messages, *steps, *more]:
        assert html.index(f'id="paso-{slug}"') > html.index("data-tablist")
        assert f'action="{step(case, slug)}"' in html
    assert 'id="pasos-mas"' in html
    # Who the citizen is, the deadlines and what the case is: in the side panel.
    side = html[html.index('<aside class="case-side"') :]
    for text in ("Estado", "Clase", "Centro", "Prioridad", "Vence", "Responsable", "Plazos"):
        assert text in side


def test_a_liaison_proposes_in_the_box_with_both_fields(make_case, resolution, liaison, client_for):
    case = assigned(make_case, resolution)
    html, messages, steps, more, selected = box_of(client_for(liaison), case)
    assert (messages, steps, more, selected) == (
        ["comentar", "proponer"],
        ["tomar", "responsable"],
        [],
        "proponer",  # the next step, written in the box
    )
    assert "mas" not in tab_order(html)
    panel = html[html.index('id="paso-proponer"') :]
    panel = panel[: panel.index("</section>")]
    assert 'name="answer"' in panel
    assert 'name="improvement_action"' in panel
    assert 'type="file" name="files"' in panel
    assert 'enctype="multipart/form-data"' in panel


def test_an_agent_closes_an_inquiry_and_escalates_it_under_more(make_case, agent, client_for):
    case = make_case(CaseKind.INQUIRY)
    html, messages, steps, more, selected = box_of(client_for(agent), case)
    assert (messages, steps, more, selected) == (
        ["comentar"],
        ["tomar", "responsable", "cerrar"],
        ["escalar"],
        "comentar",
    )
    assert tab_order(html) == ["comentar", "tomar", "responsable", "cerrar", "mas", "escalar"]


def test_a_case_to_classify_is_classified_first(resolution, client_for):
    from enlace.cases.actions import NewCase, do_register_case
    from enlace.catalogues.models import Channel

    case, _created = do_register_case(
        NewCase(
            kind="opinion",
            channel=Channel.objects.get(code="whatsapp"),
            description="Me trataron mal en la farmacia",
            to_classify=True,
        ),
        acting_user=None,
    )
    _html, _messages, steps, _more, _selected = box_of(client_for(resolution), case)
    assert steps[0] == "triaje"


def test_answer_templates_are_offered_filled_in_the_reply_tab(make_case, resolution, client_for):
    AnswerTemplate.objects.create(name="Gracias", body="Estimado(a) {nombre}: su caso {codigo}.")
    case = make_case(centre="HG", type="queja", citizen={"name": "Ana"})
    html = client_for(resolution).get(detail(case)).content.decode()
    panel = html[html.index('id="paso-responder"') :]
    panel = panel[: panel.index("</section>")]
    assert 'data-answer-templates="answer"' in panel
    assert f"Estimado(a) Ana: su caso {case.display_code}." in panel


def test_a_boosted_post_with_errors_comes_back_on_its_tab(make_case, resolution, client_for):
    case = make_case(centre="HG", type="queja")
    html = client_for(resolution).get(detail(case)).content.decode()
    assert 'hx-boost="true"' in html[html.index('id="step-box"') - 200 :][:400]
    response = client_for(resolution).post(
        step(case, "anular"), {"reason": " "}, headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert response.status_code == 400
    assert response.context["box"].selected == "anular"
    assert 'data-selected="anular"' in response.content.decode()


# --- What the page costs ------------------------------------------------------------------------
def test_the_page_costs_the_same_queries_with_no_file_and_with_five(
    make_case, resolution, client_for, django_assert_num_queries
):
    client = client_for(resolution)
    case = make_case(centre="HG", type="queja")
    note = actions.do_add_comment(case, "Adjunto lo que envió el centro.", acting_user=resolution)
    client.get(detail(case))  # the first request warms what is kept per process
    with CaptureQueriesContext(connection) as without_files:
        assert client.get(detail(case)).status_code == 200

    registered = case.events.get(kind=EventKind.REGISTERED)
    for n, event in enumerate([note, note, registered]):
        CaseFile.objects.create(
            case=case,
            event=event,
            file=f"case_files/{n}.pdf",
            name=f"hoja {n}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256=str(n) * 64,
        )
    attachments.store(PDF, "receta.pdf", case_id=case.pk)
    attachments.store(PNG, "foto.png", case_id=case.pk)
    assert CaseFile.objects.filter(case=case).count() + case.attachments.count() == 5
    with django_assert_num_queries(len(without_files.captured_queries)):
        page = client.get(detail(case))
    assert page.content.decode().count("/archivos/") == 3 * 2  # in the panel and the thread
